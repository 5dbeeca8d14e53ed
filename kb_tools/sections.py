"""Headings of the sections kb_tools.site.decorate adds to each question page.

The site's search index (kb_tools.site_search) finds the sections by these headings: other
phrasings become the aliases field, related questions and provenance are navigation, not
answers, and stay out. Rename one here and both sides follow.
"""

ALIASES = "其他问法"
RELATED = "相关问题"
PROVENANCE = "来源与审核"
