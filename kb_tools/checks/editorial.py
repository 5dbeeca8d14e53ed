"""KB113–KB114: readers see answers; notes for editors stay with editors.

The reader-facing text of every page the site ships (body and the front-matter fields the site
shows), published or still in review (which ships with a banner), must not speak of the article it
was curated from or of editing, nor hold a placeholder (待补充): the reader never saw that article
and does not edit pages. What an editor should verify goes into `review_note`, which the site
shows nowhere. Traditional characters are read as simplified (請編輯核對 is 请编辑核对).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from kb_tools.checks.rules import Finding
from kb_tools.checks.source import BODY, URL, SourceFile, code_spans, link_destinations, outside
from kb_tools.markdown_text import HTML_COMMENT, TAG
from kb_tools.pages import Page
from kb_tools.query import t2s_char_table

READER_FIELDS = ("title", "description", "aliases")
# The wording of the law itself (条文原文) is for readers too, as in KB106.
_LAW_TEXT = re.compile(r"(?:条文|法律|法条)原文")


@lru_cache(maxsize=1)
def editor_words() -> re.Pattern:
    text = resources.files("kb_tools").joinpath("data/editor_words.txt").read_text(encoding="utf-8")
    words = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return re.compile("|".join(re.escape(w) for w in sorted(filter(None, words), key=len, reverse=True)), re.I)


def _message(word: str) -> str:
    return (f"读者看得到的页面中有写给编辑的话“{word}”：读者没有看过本页整理自的文章，也不编辑页面。"
            "请改写成直接回答读者的话；需要编辑核对的事项写进 front matter 的 `review_note`（网站不显示它），"
            "内容还不能直接回答问题时，把 status 改为 needs-review。")


def check(source: SourceFile, page: Page | None) -> list[Finding]:
    if page is None:
        return []
    words = editor_words()
    simplified = t2s_char_table()  # the queries' own table, character by character: columns stay the line's
    findings = []
    for line in source.lines:
        text = "".join(simplified.get(c, c) for c in line.text)
        if line.region == BODY:
            match = next((m for m in words.finditer(text) if outside(_unseen(text), m.start())), None)
        elif line.number < source.body_line and re.match(rf"\s*(?:-\s|(?:{'|'.join(READER_FIELDS)}):)", text) \
                and _in_reader_field(page, line.number):
            match = words.search(text)
        else:
            match = None
        if match:
            word = line.text[match.start():match.end()]
            findings.append(Finding(source.display, line.number, "KB113", _message(word), column=match.start()))
    if page.status == "published" and page.review_note:
        findings.append(Finding(source.display, page.line_of("review_note"), "KB114",
                                "已发布的页面还有 `review_note`。如果其中的事项已经核对，请删除 `review_note`；"
                                "还没有核对，请把 status 改为 needs-review。"))
    return findings


def _unseen(text: str) -> list[tuple[int, int]]:
    """Spans of a line the reader does not read as prose: code, link targets, URLs, tags, comments
    (a `kb:allow` note), and quoted law."""
    spans = code_spans(text) + link_destinations(text)
    for pattern in (URL, TAG, HTML_COMMENT, _LAW_TEXT):
        spans += [m.span() for m in pattern.finditer(text)]
    if "<!--" in text and "-->" not in text[text.rindex("<!--"):]:
        spans.append((text.rindex("<!--"), len(text)))
    return spans


def _in_reader_field(page: Page, number: int) -> bool:
    """Whether a front-matter line belongs to a field the site shows (a key line, or an item of it)."""
    starts = sorted((line, key) for key, line in page.key_lines.items())
    owner = None
    for line, key in starts:
        if line <= number:
            owner = key
    return owner in READER_FIELDS
