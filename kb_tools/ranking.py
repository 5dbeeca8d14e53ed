"""Ranking settings shared by the CLI (Whoosh) and the site's search worker (written into its
data file, so the JavaScript never carries its own copy)."""

# Title and other phrasings say what a page answers; body words only that it mentions them.
FIELD_BOOSTS = {"title": 5.0, "aliases": 4.0, "tags": 2.0, "headings": 1.5, "category": 1.0, "body": 1.0}
BM25_K1 = 1.2
BM25_B = 0.75
MAX_QUERY_TERMS = 24  # a pasted long text is reduced to its most informative terms
SYNONYM_WEIGHT = 0.8
