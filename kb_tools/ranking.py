"""Ranking settings shared by the CLI (Whoosh) and the site's search worker (written into its
data file, so the JavaScript never carries its own copy)."""

# Title and other phrasings say what a page answers; body words only that it mentions them.
FIELD_BOOSTS = {"title": 5.0, "aliases": 4.0, "tags": 2.0, "headings": 1.5, "category": 1.0, "body": 1.0}
BM25_K1 = 1.2
BM25_B = 0.75
MAX_QUERY_TERMS = 24  # a pasted long text is reduced to its most informative terms
SYNONYM_WEIGHT = 0.8
# A lone character (开, 没, 泡) is weaker evidence than a word: it is often a piece of a word
# the index does not hold (拧开, 没了), split by the query segmenter.
SINGLE_CHAR_WEIGHT = 0.5


def idf(df: int, docs: int) -> float:
    """BM25's inverse document frequency. `df` counts documents holding the term in any field
    (BM25F proper: one idf per term, not one per field), the same in the CLI and the browser."""
    from math import log

    return log(1 + (docs - df + 0.5) / (df + 0.5))
