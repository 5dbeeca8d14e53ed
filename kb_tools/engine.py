"""Everything that touches Whoosh lives here (Whoosh-Reloaded is archived: keep it contained).

The schema pickles `KbTokenizer` by its import path, so this module path is part of the index
format: moving it requires bumping SCHEMA_VERSION.

Ranking is BM25F proper (Robertson, Zaragoza): one searchable field whose postings carry the
field-weighted term frequency (title and other phrasings count most), saturated once, with one
idf per term. One posting list per query term keeps queries fast on large indexes; the site's
search worker computes the same formula from kb-index.json.

An index updated page by page ranks exactly like one built at once from the same pages, path
for path and score for score. Whoosh counts a replaced or removed page in its statistics until
its segment merges, and a merge adds up lengths rounded to a byte: the collection statistics
BM25 needs (live pages, their total length, each term's document frequency) are counted by
`statistics` at build time and reach the scorer through the query dictionary. A page's score
depends on no other page's document number (_BestOf) and is added up in full, group by group in
the query's order (_scores); equal scores rank by path, not by document number, which follows
the order pages were added in (_best).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from whoosh import columns, fields, index, matching, query, scoring
from whoosh.analysis import Token, Tokenizer

from kb_tools.ranking import (BM25_B, BM25_K1, CANDIDATES, FIELD_BOOSTS, FIRST_PHASE_SHARE,
                              TWO_PHASE_FROM_DOCS, idf)

SCHEMA_VERSION = 3
INDEX_NAME = "kb"
SEARCH_FIELD = "text"
# Per document, for the collection statistics: its distinct terms (what it added to each
# term's document frequency, to take back while Whoosh keeps it deleted) and its exact length
# (Whoosh keeps only a one-byte approximation, and sums those when it merges segments).
TERMS_COLUMN = "text_terms"
LENGTH_COLUMN = "text_length"

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
        text_terms=fields.COLUMN(columns.VarBytesColumn()),
        text_length=fields.COLUMN(columns.NumericColumn("I")),
    )


@dataclass
class Hit:
    path: str
    score: float
    stored: dict
    terms: frozenset = frozenset()  # the query's terms (and synonyms) this document holds


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
    tokens = doc[SEARCH_FIELD].tokens
    # Terms hold no whitespace (jieba cuts at it), so a newline separates them.
    terms = "\n".join(sorted({term for term, _, _ in tokens})).encode("utf-8")
    writer_.add_document(**doc, **{TERMS_COLUMN: terms, LENGTH_COLUMN: sum(n for _, _, n in tokens)})


def delete(writer_, path: str) -> None:
    writer_.delete_by_term("path", path)


@dataclass
class Statistics:
    """BM25's collection statistics over the live documents."""

    docs: int
    length: int  # total length of the search field, in tokens
    df: dict[str, int]  # term -> live documents holding it, in the lexicon's order


def statistics(ix) -> Statistics:
    """Counted as a fresh index of the same pages counts them, whatever builds led here.

    Whoosh's own figures include deleted documents until their segment merges (doc_frequency,
    field_length, doc_count_all), and a merged segment's field_length sums the rounded lengths:
    the deleted documents' terms are taken back and the live documents' exact lengths summed."""
    gone: Counter = Counter()
    docs = length = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            terms, lengths = leaf.column_reader(TERMS_COLUMN), leaf.column_reader(LENGTH_COLUMN)
            for docnum in range(leaf.doc_count_all()):
                if leaf.is_deleted(docnum):
                    if terms[docnum]:
                        gone.update(terms[docnum].decode("utf-8").split("\n"))
                else:
                    docs += 1
                    length += lengths[docnum]
        try:
            lexicon = list(reader.lexicon(SEARCH_FIELD))
        except KeyError:  # an index with no documents has no lexicon
            lexicon = []
        df = {}
        for text in lexicon:
            term = text.decode("utf-8")
            count = reader.doc_frequency(SEARCH_FIELD, text) - gone[term]
            if count:
                df[term] = count
    return Statistics(docs, length, df)


class CollectionStatistics(Protocol):
    """What the scorer reads at search time: kb_tools.query.QueryDictionary, which carries `statistics`."""

    docs: int
    length: int

    def df(self, term: str) -> int: ...


class KbBM25F(scoring.BM25F):
    """BM25 over the field-weighted frequencies, with the collection statistics the query side
    uses (not Whoosh's, which count deleted documents)."""

    def __init__(self, stats: CollectionStatistics):
        super().__init__(B=BM25_B, K1=BM25_K1)
        self.stats = stats

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _Scorer(searcher, fieldname, text, self, qf)


class _Scorer(scoring.BM25FScorer):
    def __init__(self, searcher, fieldname, text, model: KbBM25F, qf=1):
        stats = model.stats
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        self.idf = idf(stats.df(term), stats.docs)
        self.avgfl = stats.length / (stats.docs or 1) or 1  # as Whoosh's avg_field_length
        self.B, self.K1, self.qf = model.B, model.K1, qf
        self.setup(searcher, fieldname, text)


def open_searcher(ix, stats: CollectionStatistics):
    return ix.searcher(weighting=KbBM25F(stats))


def open_reader(ix):
    """For looking, not searching (a searcher needs the query dictionary's statistics)."""
    return ix.reader()


def search(searcher, groups: list[list[tuple[str, float]]], *, limit: int, category: str | None = None,
           tag: str | None = None, require: list[str] | None = None, evidence: list[str] = ()) -> list[Hit]:
    """Rank documents for OR-ed term groups: each group is a term and its synonyms with weights.

    A document scores the sum over the groups it matches of the group's best alternative; equal
    scores rank by path.

    On indexes of TWO_PHASE_FROM_DOCS documents or more, only the rarest groups (their postings
    within FIRST_PHASE_SHARE of the documents) take part in the exhaustive first pass; the other
    groups are added exactly to its CANDIDATES best documents. A page that matches only common
    words can then be missed: the trade for tens of milliseconds instead of hundreds
    (`python -m kb_tools.bench` reports how often the first result still agrees).

    With `require`, only documents holding at least one of those terms are ranked (the query's
    words of two characters or more: a lone character never makes a page a result). Each hit
    lists which of the query's terms and of `evidence` its document holds (`terms`)."""
    if not groups or limit < 1 or require == []:
        return []
    filters = []
    if category:
        filters.append(query.Term("category_id", category))
    if tag:
        filters.append(query.Term("tag", tag))
    if require:
        filters.append(query.Or([query.Term(SEARCH_FIELD, t) for t in require]))
    allow = query.And(filters) if filters else None
    selective, common = _split_common(searcher, groups)
    wanted = max(CANDIDATES, limit) if common else limit
    scores = _scores(searcher, selective, allow)
    if common:
        candidates = sorted(docnum for docnum, _ in _best(searcher, scores, wanted))
        scores = {docnum: scores[docnum] for docnum in candidates}
        for group in common:
            for docnum, score in _group_scores(searcher, group, candidates).items():
                scores[docnum] += score
    best = _best(searcher, scores, limit)
    held = _terms_held(searcher, [t for g in groups for t, _ in g] + list(evidence), sorted(d for d, _ in best))
    return [Hit(stored["path"], score, stored, held.get(docnum, frozenset()))
            for docnum, score in best for stored in [searcher.stored_fields(docnum)]]


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
    stats = searcher.weighting.stats
    if stats.docs < TWO_PHASE_FROM_DOCS:
        return groups, []
    reach = [sum(stats.df(term) for term, _ in g) for g in groups]
    budget, first = FIRST_PHASE_SHARE * stats.docs, set()
    for i in sorted(range(len(groups)), key=reach.__getitem__):
        if first and budget < reach[i]:
            break
        first.add(i)
        budget -= reach[i]
    return ([g for i, g in enumerate(groups) if i in first],
            [g for i, g in enumerate(groups) if i not in first])


def _scores(searcher, groups, allow) -> dict[int, float]:
    """docnum -> score of every document matching a group, the groups' scores added in the
    query's order. Whoosh's Or adds them in a tree shaped by each segment's term counts (float
    addition is not associative: two indexes of the same pages then differ in the last bits),
    and its top-N pruning loses part of some documents' scores, depending on how postings fall
    into blocks and segments: AndMaybeMatcher.skip_to moves its optional side to the docnum it
    was given, not to where its required side landed, and skipping by block quality loses more."""
    allowed = None if allow is None else set(searcher.docs_for_query(allow))
    scores: dict[int, float] = {}
    for group in groups:
        matcher = _group_query(group).matcher(searcher)
        while matcher.is_active():
            docnum = matcher.id()
            if allowed is None or docnum in allowed:
                scores[docnum] = scores.get(docnum, 0.0) + matcher.score()
            matcher.next()
    return scores


def _group_scores(searcher, group, docnums: list[int]) -> dict[int, float]:
    """A group's score in each of the given documents (ascending docnums), by skipping postings."""
    best: dict[int, float] = {}
    for term, weight in group:
        for docnum, score in _postings_at(searcher, term, docnums, weight):
            best[docnum] = max(best.get(docnum, 0.0), score)
    return best


def _terms_held(searcher, terms: list[str], docnums: list[int]) -> dict[int, frozenset]:
    """For each of the given documents (ascending docnums), which of `terms` it holds."""
    held: dict[int, set] = {d: set() for d in docnums}
    for term in dict.fromkeys(terms):
        for docnum, _ in _postings_at(searcher, term, docnums):
            held[docnum].add(term)
    return {d: frozenset(t) for d, t in held.items()}


def _postings_at(searcher, term: str, docnums: list[int], weight: float = 1.0):
    """(docnum, score) for each of the given documents (ascending) that holds `term`."""
    matcher = query.Term(SEARCH_FIELD, term, boost=weight).matcher(searcher)
    for docnum in docnums:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum, matcher.score()


def _best(searcher, scores: dict[int, float], n: int) -> list[tuple[int, float]]:
    """The n best (docnum, score), equal scores in path order: the order of docnums depends on
    the order pages were added in, and differs between a full and an incremental build."""
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if len(ranked) > n:
        ranked = [item for item in ranked if item[1] >= ranked[n - 1][1]]
    ties = {score for score, count in Counter(score for _, score in ranked).items() if count > 1}
    return sorted(ranked, key=lambda item: (-item[1], searcher.stored_fields(item[0])["path"]
                                            if item[1] in ties else ""))[:n]
