"""Everything that touches Whoosh lives here (Whoosh-Reloaded is archived: keep it contained).

The schema pickles `KbTokenizer` by its import path, so this module path is part of the index
format: moving it requires bumping SCHEMA_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import fields, index, query, scoring
from whoosh.analysis import Token, Tokenizer

from kb_tools.ranking import BM25_B, BM25_K1, FIELD_BOOSTS, idf

SCHEMA_VERSION = 1
INDEX_NAME = "kb"
TEXT_FIELDS = tuple(FIELD_BOOSTS)

_segmenter = None  # set by set_index_segmenter() in the process that builds the index


def set_index_segmenter(segmenter) -> None:
    global _segmenter
    _segmenter = segmenter


class KbTokenizer(Tokenizer):
    """Whoosh tokenizer over the project's pipeline (text is normalized before it gets here)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        if _segmenter is None:
            raise RuntimeError("KbTokenizer is used at index time only; queries are segmented by kb_tools.search")
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        analysed = getattr(value, "tokens", None)
        for pos, (term, start, end) in enumerate(analysed if analysed is not None else _segmenter.tokens(value)):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = term
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class Analysed(str):
    """A field value whose tokens were computed ahead (in a worker process); KbTokenizer uses them."""


def pre_analyzed(document: dict) -> dict:
    """The document with its text fields tokenized now, so that adding it only indexes."""
    for name in TEXT_FIELDS:
        value = Analysed(document[name])
        value.tokens = list(_segmenter.tokens(value))
        document[name] = value
    return document


def make_schema() -> fields.Schema:
    analyzer = KbTokenizer()
    text = {name: fields.TEXT(analyzer=analyzer, field_boost=boost, phrase=False)
            for name, boost in FIELD_BOOSTS.items()}
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        category_id=fields.ID(stored=True),
        tag=fields.KEYWORD(stored=True, commas=True, scorable=False),
        title_text=fields.STORED(),
        category_name=fields.STORED(),
        body_text=fields.STORED(),
        digest=fields.STORED(),
        status=fields.STORED(),
        **text,
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


def writer(ix):
    return ix.writer()


def add(writer_, doc: dict) -> None:
    writer_.add_document(**doc)


def delete(writer_, path: str) -> None:
    writer_.delete_by_term("path", path)


def stored_documents(ix) -> dict[str, dict]:
    with ix.searcher() as searcher:
        return {fields_["path"]: fields_ for fields_ in searcher.all_stored_fields()}


def vocabulary(ix) -> dict[str, int]:
    """term -> number of documents containing it in any text field."""
    df: dict[str, int] = {}
    with ix.reader() as reader:
        for name in TEXT_FIELDS:
            for term_bytes, info in _field_terms(reader, name):
                term = term_bytes.decode("utf-8")
                df[term] = max(df.get(term, 0), info)
    return df


def _field_terms(reader, name):
    try:
        for term_bytes in reader.lexicon(name):
            yield term_bytes, reader.doc_frequency(name, term_bytes)
    except KeyError:
        return


class KbBM25F(scoring.BM25F):
    """Whoosh's BM25F takes each field's own document frequency for idf; with few pages that
    makes a common word rare in titles (业主) outweigh the words that tell pages apart. Here a
    term has one idf, from the number of pages holding it in any field."""

    def idf(self, searcher, fieldname, text):
        df = max(searcher.doc_frequency(name, text) for name in TEXT_FIELDS)
        return idf(df, searcher.doc_count_all())


def open_searcher(ix):
    return ix.searcher(weighting=KbBM25F(B=BM25_B, K1=BM25_K1))


def search(ix, groups: list[list[tuple[str, float]]], *, limit: int, category: str | None = None,
           tag: str | None = None, searcher=None) -> list[Hit]:
    """Rank documents for OR-ed term groups: each group is a term and its synonyms with weights.

    A document scores the BM25F sum over the groups it matches; matching more groups wins."""
    if not groups:
        return []
    clauses = []
    for group in groups:
        # A term across fields sums (BM25F); synonyms count once, as their best match.
        alternatives = [query.Or([query.Term(name, term, boost=weight) for name in TEXT_FIELDS])
                        for term, weight in group]
        clauses.append(query.DisjunctionMax(alternatives) if len(alternatives) > 1 else alternatives[0])
    q = query.Or(clauses)
    filters = []
    if category:
        filters.append(query.Term("category_id", category))
    if tag:
        filters.append(query.Term("tag", tag))
    own = searcher is None
    searcher = searcher or open_searcher(ix)
    try:
        results = searcher.search(q, limit=limit, filter=query.And(filters) if filters else None)
        return [Hit(r["path"], r.score, dict(r.fields())) for r in results]
    finally:
        if own:
            searcher.close()
