"""Everything that touches Whoosh lives here (Whoosh-Reloaded is archived: keep it contained).

The schema pickles `KbTokenizer` by its import path, so this module path is part of the index
format: moving it requires bumping SCHEMA_VERSION.

Ranking is BM25F proper (Robertson, Zaragoza): one searchable field whose postings carry the
field-weighted term frequency (title and other phrasings count most), saturated once, with one
idf per term. One posting list per query term keeps queries fast on large indexes; the site's
search worker computes the same formula from kb-index.json.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import fields, index, matching, query, scoring
from whoosh.analysis import Token, Tokenizer

from kb_tools.ranking import (BM25_B, BM25_K1, CANDIDATES, FIELD_BOOSTS, FIRST_PHASE_SHARE,
                              TWO_PHASE_FROM_DOCS, idf)

SCHEMA_VERSION = 2
INDEX_NAME = "kb"
SEARCH_FIELD = "text"

_segmenter = None  # set by set_index_segmenter() in the process that builds the index


def set_index_segmenter(segmenter) -> None:
    global _segmenter
    _segmenter = segmenter


class Analysed(str):
    """A field value analysed ahead: `tokens` lists (term, boost, count); KbTokenizer yields them."""


def analyse(parts: dict[str, str]) -> Analysed:
    """One searchable value from a page's parts (title, aliases, … body), each token boosted by
    its part's weight. Whoosh's Frequency format sums token boosts into the posting's weight, so
    a posting holds BM25F's field-weighted term frequency: sum over parts of boost × tf.

    Tokens are counted per (term, boost): a worker process sends a page's counts, not its
    thousands of tokens, to the process that writes the index."""
    value = Analysed("\n".join(parts[name] for name in FIELD_BOOSTS))
    counts: dict[tuple[str, float], int] = {}
    for name, boost in FIELD_BOOSTS.items():
        for term, _, _ in _segmenter.tokens(parts[name]):
            counts[term, boost] = counts.get((term, boost), 0) + 1
    value.tokens = [(term, boost, n) for (term, boost), n in counts.items()]
    return value


class KbTokenizer(Tokenizer):
    """Whoosh tokenizer over the project's pipeline. Values come analysed (see analyse()); a
    plain string is segmented here with boost 1."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        tokens = getattr(value, "tokens", None)
        if tokens is None:
            if _segmenter is None:
                raise RuntimeError("KbTokenizer is used at index time only; queries are segmented by kb_tools.search")
            tokens = [(term, 1.0, 1) for term, _, _ in _segmenter.tokens(value)]
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for term, boost, count in tokens:
            for _ in range(count):  # Whoosh counts tokens for the document's length
                token.text = term
                token.boost = boost
                token.stopped = False
                if keeporiginal:
                    token.original = term
                if positions:
                    token.pos = pos
                pos += 1
                yield token


def make_schema() -> fields.Schema:
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        category_id=fields.ID(stored=True),
        tag=fields.KEYWORD(stored=True, commas=True, scorable=False),
        title_text=fields.STORED(),
        category_name=fields.STORED(),
        body_text=fields.STORED(),
        digest=fields.STORED(),
        status=fields.STORED(),
        text=fields.TEXT(analyzer=KbTokenizer(), phrase=False),
    )


@dataclass
class Hit:
    path: str
    score: float
    stored: dict


def create(directory: str):
    return index.create_in(directory, make_schema(), indexname=INDEX_NAME)


def open_dir(directory: str):
    return index.open_dir(directory, indexname=INDEX_NAME)


def exists(directory: str) -> bool:
    return index.exists_in(directory, indexname=INDEX_NAME)


def writer(ix, processes: int = 1):
    """With processes > 1 (large full builds) Whoosh indexes batches in subprocesses, each
    writing its own segment: writing postings, the slowest part of a commit, runs in parallel."""
    if processes > 1:
        return ix.writer(procs=processes, multisegment=True, batchsize=100)
    return ix.writer()


def add(writer_, doc: dict) -> None:
    writer_.add_document(**doc)


def delete(writer_, path: str) -> None:
    writer_.delete_by_term("path", path)


def vocabulary(ix) -> dict[str, int]:
    """term -> number of documents containing it."""
    with ix.reader() as reader:
        try:
            return {t.decode("utf-8"): reader.doc_frequency(SEARCH_FIELD, t) for t in reader.lexicon(SEARCH_FIELD)}
        except KeyError:  # an index with no documents has no lexicon
            return {}


class KbBM25F(scoring.BM25F):
    """BM25 over the field-weighted frequencies, with the idf formula the query side uses."""

    def idf(self, searcher, fieldname, text):
        # Live documents, as the query dictionary counts them (deleted ones linger until a merge).
        return idf(searcher.doc_frequency(fieldname, text), searcher.doc_count())


def open_searcher(ix):
    return ix.searcher(weighting=KbBM25F(B=BM25_B, K1=BM25_K1))


def search(ix, groups: list[list[tuple[str, float]]], *, limit: int, category: str | None = None,
           tag: str | None = None, searcher=None) -> list[Hit]:
    """Rank documents for OR-ed term groups: each group is a term and its synonyms with weights.

    A document scores the sum over the groups it matches of the group's best alternative.
    On indexes of TWO_PHASE_FROM_DOCS documents or more, only the rarest groups (their postings
    within FIRST_PHASE_SHARE of the documents) take part in the exhaustive first pass; the other
    groups are added exactly to its CANDIDATES best documents. A page that matches only common
    words can then be missed: the trade for tens of milliseconds instead of hundreds
    (`python -m kb_tools.bench` reports how often the first result still agrees)."""
    if not groups:
        return []
    own = searcher is None
    searcher = searcher or open_searcher(ix)
    try:
        filters = []
        if category:
            filters.append(query.Term("category_id", category))
        if tag:
            filters.append(query.Term("tag", tag))
        allow = query.And(filters) if filters else None
        selective, common = _split_common(searcher, groups)
        first = query.Or([_group_query(g) for g in selective])
        results = searcher.search(first, limit=max(CANDIDATES, limit) if common else limit, filter=allow)
        scores = {hit.docnum: hit.score for hit in results}
        for group in common:
            for docnum, score in _group_scores(searcher, group, sorted(scores)).items():
                scores[docnum] += score
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [Hit(stored["path"], score, stored)
                for docnum, score in ranked for stored in [searcher.stored_fields(docnum)]]
    finally:
        if own:
            searcher.close()


def _group_query(group):
    # Synonyms count once, as their best match.
    alternatives = [query.Term(SEARCH_FIELD, term, boost=weight) for term, weight in group]
    return _BestOf(alternatives) if len(alternatives) > 1 else alternatives[0]


class _BestOfMatcher(matching.DisjunctionMaxMatcher):
    """Whoosh's DisjunctionMaxMatcher scores the current document with the better of its two
    sub-matchers even when one of them is on a later document: that document's score leaked
    in, so a page's score depended on which page came next in docnum order. The best
    alternative on the current document, as `_group_scores` computes it."""

    def score(self):
        a, b = self.a, self.b
        if not a.is_active() or (b.is_active() and b.id() < a.id()):
            return b.score()
        if not b.is_active() or a.id() < b.id():
            return a.score()
        return max(a.score(), b.score())


class _BestOf(query.DisjunctionMax):
    """A term or its synonyms, scored as the best of them that the document holds."""

    def _matcher(self, subs, searcher, context):
        return self._tree_matcher(subs, _BestOfMatcher, searcher, context, None)


def _split_common(searcher, groups):
    """(first-phase groups, groups added per candidate), in the query's order."""
    docs = searcher.doc_count()
    if docs < TWO_PHASE_FROM_DOCS:
        return groups, []
    reach = [sum(searcher.doc_frequency(SEARCH_FIELD, term) for term, _ in g) for g in groups]
    budget, first = FIRST_PHASE_SHARE * docs, set()
    for i in sorted(range(len(groups)), key=reach.__getitem__):
        if first and budget < reach[i]:
            break
        first.add(i)
        budget -= reach[i]
    return ([g for i, g in enumerate(groups) if i in first],
            [g for i, g in enumerate(groups) if i not in first])


def _group_scores(searcher, group, docnums: list[int]) -> dict[int, float]:
    """A group's score in each of the given documents (ascending docnums), by skipping postings."""
    best: dict[int, float] = {}
    for term, weight in group:
        matcher = query.Term(SEARCH_FIELD, term, boost=weight).matcher(searcher)
        for docnum in docnums:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                best[docnum] = max(best.get(docnum, 0.0), matcher.score())
    return best
