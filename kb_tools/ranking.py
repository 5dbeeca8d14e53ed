"""Ranking settings shared by the CLI (Whoosh) and the site's search worker (written into its
data file, so the JavaScript never carries its own copy)."""

# Title and other phrasings say what a page answers; body words only that it mentions them.
FIELD_BOOSTS = {"title": 5.0, "aliases": 4.0, "tags": 2.0, "headings": 1.5, "category": 1.0, "body": 1.0}
# Field-weighted frequencies run from 1 to 15 and more (a title word counts 5), so saturation
# needs a larger k1 than plain BM25's 1.2. FAQ pages differ in length by how much detail they
# give, not by drifting off topic, so length normalization is weak. Chosen from a small grid
# (k1 1.2–5, b 0.3–0.75) on the evaluation set; R@1 stays within 0.94–0.97 across it.
BM25_K1 = 4.0
BM25_B = 0.3
MAX_QUERY_TERMS = 24  # a pasted long text is reduced to its most informative terms
MAX_QUERY_CHARS = 20_000  # beyond this a query is cut: no question is that long
SNIPPET_CHARS = 90
SYNONYM_WEIGHT = 0.8
# A lone character (开, 没, 泡) is weaker evidence than a word: it is often a piece of a word
# the index does not hold (拧开, 没了), split by the query segmenter.
SINGLE_CHAR_WEIGHT = 0.5
# Large indexes rank in two phases: candidates from the query's rarest terms, then the other
# terms' exact contributions added to each candidate. Common terms cost the most to score (one
# posting per page holding them) and change the order least. The first phase takes the rarest
# terms while their postings together stay under this share of the pages (at least one term).
# Measured on the 10,000-page synthetic corpus (`python -m kb_tools.bench`): 0.6 gave a warm
# p95 of ~40 ms with the exhaustive first result kept for ~78% of queries, 1.0 ~58 ms and ~82%;
# since scores are added up in full (engine._scores, 2026-12-01), 0.6 keeps it for 93%.
# Indexes under TWO_PHASE_FROM_DOCS pages (the real site) are always exhaustive.
TWO_PHASE_FROM_DOCS = 2000
FIRST_PHASE_SHARE = 0.6
CANDIDATES = 200


def idf(df: int, docs: int) -> float:
    """BM25's inverse document frequency. `df` counts documents holding the term in any field
    (BM25F proper: one idf per term, not one per field), the same in the CLI and the browser."""
    from math import log

    return log(1 + (docs - df + 0.5) / (df + 0.5))

# The verdict (kb_tools.query.answers): a page answers a question when it covers at least this
# share of the question's informative weight. A page holding only a piece of a word (物业 of
# 物业费) covers PART_COVER of that word. Chosen on the evaluation set's dev part only.
ANSWER_COVERAGE = 0.3
PART_COVER = 0.5
# A word no page uses weighs this share of the highest idf (most such words are everyday words
# the knowledge base has no reason to hold, not the question's topic).
UNKNOWN_WEIGHT = 0.5
# Words whose idf in jieba's general-corpus table is below this are function words: no evidence
# of what a question asks (kb_tools.query.function_words). 5.0 takes about 400 words.
FUNCTION_IDF = 5.0
RELATED_SHOWN = 3  # when no page answers: a few pages that share the question's words, no more
HOMOPHONE_MIN_FREQ = 5  # see kb_tools.query.homophone_words
