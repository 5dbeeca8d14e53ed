"""The query side: from what a reader typed to the terms to look up.

    raw query -> QueryDictionary.normalize() -> Segmenter.cut_for_search() -> stop words out
              -> terms the index knows (at most MAX_QUERY_TERMS, most informative first)
              -> synonym groups                                    = plan_query()
    no match  -> indexed words inside the query, then words containing its pieces = fallback_plan()

JavaScript twin: `Analyzer` in overrides/assets/javascripts/kb-search-worker.js (`normalize`,
`plan`, `fallback`) does the same steps over the same query dictionary, which the site's data
file (search/kb-index.json, kb_tools.site_search) carries with every pattern and setting.
tests/test_query_agreement.py compares the two on thousands of generated queries.

The query dictionary's format has its home here: index builds write it (query_dictionary) and
searches read it (QueryDictionary). Cold start matters (staff search during a call), so a search
loads neither jieba nor OpenCC: the dictionary carries what segmentation and conversion need.

The answer/no-answer decision (whether the best hits answer the question, or the reader should
be told "we have no page on that") belongs here, beside the plans, when it is built; its twin
then goes beside `Analyzer.plan` in the worker and into the agreement test.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb_tools.errors import IndexUnavailable
from kb_tools.ranking import MAX_QUERY_CHARS, MAX_QUERY_TERMS, SINGLE_CHAR_WEIGHT, SYNONYM_WEIGHT, idf
from kb_tools.segment import Segmenter
from kb_tools.text import PIPELINE_VERSION, IndexSegmenter, Resources, clean, is_term, opencc_t2s

CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


# -- the query dictionary, written by index builds (kb_tools.indexer, kb_tools.site_search) -----

def query_dictionary(df: dict[str, int], docs: int, length: int, segmenter: IndexSegmenter,
                     resources: Resources) -> dict:
    """What a query needs to be segmented like the index, without jieba: the index's own
    vocabulary with jieba's frequencies and document frequencies, the domain words, synonyms,
    stop words and OpenCC's character table. The CLI and the site's search worker both read it.

    `df`, `docs` and `length` (the documents' total length in tokens) are the collection's
    statistics, counted over live documents: the CLI's ranking (kb_tools.engine) reads them from
    here too, so the query side and the scores agree on every idf."""
    freq = segmenter.frequencies
    words = {term: [freq.get(term) or 1, count] for term, count in df.items()}
    for word in resources.domain_words:
        words.setdefault(word, [freq.get(word) or 1, 0])
    return {
        "pipeline_version": PIPELINE_VERSION,
        "total": segmenter.total,
        "docs": docs,
        "length": length,
        "words": words,
        "synonyms": [list(g) for g in resources.synonyms],
        "stopwords": sorted(resources.stopwords),
        "t2s": t2s_char_table(),
        "t2s_phrases": t2s_phrase_table(words),
    }


def t2s_phrase_table(words) -> dict[str, str]:
    """OpenCC's phrase conversions that the character table gets wrong, for the given simplified
    words: 瞭解 → 了解 (character by character 瞭 stays 瞭). Queries need no more than the
    index's own words: a phrase the index does not hold cannot match anyway."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    chars = t2s_char_table()
    phrases = {}
    for word in words:
        if len(word) < 2 or word.isascii():
            continue
        traditional = to_traditional.convert(word)
        if traditional != word and opencc_t2s().convert(traditional) == word \
                and "".join(chars.get(c, c) for c in traditional) != word:
            phrases[traditional] = word
    return phrases


@lru_cache(maxsize=1)
def t2s_char_table() -> dict[str, str]:
    """OpenCC's character-level t2s mapping for every CJK ideograph it changes.

    With t2s_phrase_table() it is how queries are converted, in the CLI and in the browser alike:
    the index build stores both, so a query never loads OpenCC itself."""
    chars = [chr(c) for lo, hi in CJK_RANGES for c in range(lo, hi + 1)]
    converted = opencc_t2s().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # OpenCC never merges lines; be safe if it ever does
        converted = [opencc_t2s().convert(c) for c in chars]
    return {c: s for c, s in zip(chars, converted) if s != c and len(s) == 1}


# -- read and used by searches ----------------------------------------------------------------

@dataclass
class QueryPlan:
    text: str  # normalized query
    terms: list[str]  # the query's own terms that the index knows, most informative first
    groups: list[list[tuple[str, float]]]  # each term with its synonyms
    fallback: bool = False  # terms came from the substring fallback


class QueryDictionary:
    def __init__(self, data: dict):
        words = data["words"]
        # querydict.json maps word -> [freq, df]; the site's data lists [word, freq, df] in order.
        self.words: dict[str, list[int]] = words if isinstance(words, dict) else {w[0]: w[1:] for w in words}
        self.docs: int = max(1, data["docs"])
        self.length: int = data["length"]
        self.stopwords = frozenset(data["stopwords"])
        self.t2s: dict[str, str] = data["t2s"]
        self.t2s_phrases: dict[str, str] = data.get("t2s_phrases", {})
        self.phrase_len = max(map(len, self.t2s_phrases), default=0)
        self.phrase_starts = {p[0] for p in self.t2s_phrases}
        self.synonyms: dict[str, list[str]] = {}
        for group in data["synonyms"]:
            for word in group:
                self.synonyms.setdefault(word, []).extend(w for w in group if w != word)
        self.segmenter = Segmenter({w: v[0] for w, v in self.words.items()}, data["total"])

    @classmethod
    def load(cls, generation: Path) -> "QueryDictionary":
        try:
            with open(generation / "querydict.json", encoding="utf-8") as fh:
                return cls(json.load(fh))
        except (OSError, ValueError, KeyError, TypeError):
            raise IndexUnavailable(f"索引 {generation.name} 的查询词典缺失或损坏。请运行 `kb index --full` 重建。") from None

    def df(self, term: str) -> int:
        entry = self.words.get(term)
        return entry[1] if entry else 0

    def idf(self, term: str) -> float:
        return idf(self.df(term), self.docs)

    def normalize(self, text: str) -> str:
        """The pipeline's normalize() with OpenCC's tables from the index instead of OpenCC itself:
        the longest phrase conversion first (瞭解 → 了解), else character by character. The
        browser's worker does exactly this with the same tables."""
        text = unicodedata.normalize("NFKC", clean(text))
        out, i, n = [], 0, len(text)
        while i < n:
            if text[i] in self.phrase_starts:
                size = next((k for k in range(min(self.phrase_len, n - i), 1, -1)
                             if text[i:i + k] in self.t2s_phrases), 0)
                if size:
                    out.append(self.t2s_phrases[text[i:i + size]])
                    i += size
                    continue
            out.append(self.t2s.get(text[i], text[i]))
            i += 1
        return "".join(out).lower()


def plan_query(raw: str, qd: QueryDictionary) -> QueryPlan:
    text = qd.normalize(raw[:MAX_QUERY_CHARS])
    tokens = [t for t in qd.segmenter.cut_for_search(text) if is_term(t, qd.stopwords)]
    counts = Counter(tokens)
    known = [t for t in counts if qd.df(t) or any(qd.df(s) for s in qd.synonyms.get(t, ()))]
    if len(known) > MAX_QUERY_TERMS:
        known = sorted(known, key=lambda t: -(1 + math.log(counts[t])) * qd.idf(t))[:MAX_QUERY_TERMS]
    groups = [_group(t, qd) for t in known]
    return QueryPlan(text, known, [g for g in groups if g])


def _group(term: str, qd: QueryDictionary) -> list[tuple[str, float]]:
    weight = SINGLE_CHAR_WEIGHT if len(term) == 1 else 1.0
    group = [(term, weight)] if qd.df(term) else []
    group += [(s, SYNONYM_WEIGHT * weight) for s in qd.synonyms.get(term, ()) if qd.df(s)]
    return group


def fallback_plan(text: str, qd: QueryDictionary) -> QueryPlan:
    """When the segmented terms match nothing: every indexed word inside the query, then every
    indexed word containing a word of the query (泡 → 泡水). Never "nothing found" while words
    of the query occur in the knowledge base."""
    found = []
    n = len(text)
    for i in range(n):
        for j in range(i + 1, min(n, i + qd.segmenter.max_len) + 1):
            piece = text[i:j]
            if qd.df(piece) and is_term(piece, qd.stopwords):
                found.append(piece)
    if not found:
        pieces = [t for t in qd.segmenter.cut(text) if is_term(t, qd.stopwords)]
        if len(pieces) > 1:  # lone characters of a longer query (区块链 → 区) are not its words
            pieces = [p for p in pieces if len(p) > 1]
        found = sorted(
            (w for w in qd.words if qd.df(w) and any(p in w for p in pieces)),
            key=lambda w: -qd.df(w),
        )[:MAX_QUERY_TERMS]
    found = list(dict.fromkeys(found))[:MAX_QUERY_TERMS]
    return QueryPlan(text, found, [[(t, 1.0)] for t in found], fallback=True)
