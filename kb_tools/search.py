"""Answer a question from the index: analyse the query with the shared pipeline, rank, snippet.

Cold-start matters (staff search during a call), so this module imports neither jieba nor
OpenCC unless the query needs it: the index's query dictionary carries what segmentation needs.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools import engine
from kb_tools.errors import IndexUnavailable, QueryError
from kb_tools.indexer import current_generation, read_meta
from kb_tools.project import Project, page_url
from kb_tools.ranking import MAX_QUERY_CHARS, MAX_QUERY_TERMS, SINGLE_CHAR_WEIGHT, SNIPPET_CHARS, SYNONYM_WEIGHT, idf
from kb_tools.segment import Segmenter
from kb_tools.text import clean, is_term

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")


@dataclass
class QueryPlan:
    text: str  # normalized query
    terms: list[str]  # the query's own terms that the index knows, most informative first
    groups: list[list[tuple[str, float]]]  # each term with its synonyms
    fallback: bool = False  # terms came from the substring fallback


@dataclass
class Result:
    path: str
    title: str
    category: str
    url: str
    score: float
    snippet: str  # plain text
    spans: list[tuple[int, int]] = field(default_factory=list)  # highlighted ranges in snippet
    status: str = ""

    def as_json(self) -> dict:
        return {"path": self.path, "title": self.title, "category": self.category, "url": self.url,
                "score": round(self.score, 4), "snippet": self.snippet,
                "highlights": [self.snippet[a:b] for a, b in self.spans], "status": self.status}


class QueryDictionary:
    def __init__(self, data: dict):
        words = data["words"]
        # querydict.json maps word -> [freq, df]; the site's data lists [word, freq, df] in order.
        self.words: dict[str, list[int]] = words if isinstance(words, dict) else {w[0]: w[1:] for w in words}
        self.docs: int = max(1, data["docs"])
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


class Searcher:
    """An open index generation. Reuse one for many queries (benchmarks, evaluation, tests).

    Opens the generation CURRENT names. When that fails because a builder replaced and removed
    it meanwhile, CURRENT is read again. When the live generation is damaged (truncated
    segment, broken query dictionary or meta.json, CURRENT naming a missing generation), the
    newest older generation that opens is used instead and `damaged` names the live one, so the
    caller can warn: answers from the previous build beat no answers during a call. With no
    usable generation the live one's IndexUnavailable is raised; its message says how to rebuild.
    """

    RETRIES = 3  # CURRENT moved on while we opened: only a builder looping faster than we open

    def __init__(self, project: Project):
        self.project = project
        self.damaged: str | None = None
        index_dir = project.index_dir
        error = live = None
        for _ in range(self.RETRIES):
            try:
                live = current_generation(index_dir)
            except IndexUnavailable as err:
                error, live = err, None
                break
            if live is None:
                error = IndexUnavailable("还没有建立索引。请先运行 `kb index`。")
                break
            try:
                self._open(live)
                return
            except IndexUnavailable as err:
                error = err
            with contextlib.suppress(IndexUnavailable):
                if current_generation(index_dir) == live:
                    break
        for older in _generations_newest_first(index_dir):
            if older == live:
                continue
            try:
                self._open(older)
            except IndexUnavailable:
                continue
            self.damaged = live.name if live is not None else "CURRENT"
            return
        raise error

    def _open(self, generation: Path) -> None:
        self.generation = generation
        self.meta = read_meta(generation)
        self.qd = QueryDictionary.load(generation)
        ix = None
        try:
            ix = engine.open_dir(str(generation))
            self._searcher = engine.open_searcher(ix)
        except Exception as err:  # Whoosh raises many types for damaged files
            if ix is not None:
                ix.close()
            raise IndexUnavailable(
                f"索引 {generation.name} 无法打开（{type(err).__name__}）。请运行 `kb index --full` 重建。") from None
        self.ix = ix

    def close(self) -> None:
        self._searcher.close()
        self.ix.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def search(self, raw: str, *, limit: int = 10, category: str | None = None, tag: str | None = None) -> list[Result]:
        if not isinstance(raw, str):
            raise QueryError("查询必须是文字。")
        plan = plan_query(raw, self.qd)
        if not re.search(r"\w", plan.text):
            raise QueryError("查询是空的。请输入要查找的问题，例如：kb search 楼上漏水把地板泡了")
        hits = self._run(plan, limit, category, tag)
        if not hits:
            plan = fallback_plan(plan.text, self.qd)
            hits = self._run(plan, limit, category, tag)
        return [self._result(hit, plan) for hit in hits]

    def _run(self, plan, limit, category, tag):
        try:
            return engine.search(self.ix, plan.groups, limit=limit, category=category, tag=tag,
                                 searcher=self._searcher)
        except Exception as err:
            raise IndexUnavailable(
                f"索引 {self.generation.name} 读取失败（{type(err).__name__}）。请运行 `kb index --full` 重建。") from None

    def _result(self, hit: engine.Hit, plan: QueryPlan) -> Result:
        stored = hit.stored
        terms = {t for g in plan.groups for t, _ in g}
        snippet, spans = make_snippet(stored.get("body_text", ""), terms, self.qd)
        return Result(
            path=hit.path,
            title=stored.get("title_text", hit.path),
            category=stored.get("category_name", ""),
            url=page_url(self.meta.get("site_url", ""), hit.path),
            score=hit.score,
            snippet=snippet,
            spans=spans,
            status=stored.get("status", ""),
        )


def _generations_newest_first(index_dir: Path) -> list[Path]:
    found = []
    for path in index_dir.glob("gen-*"):
        with contextlib.suppress(OSError):  # removed by a builder's cleanup while we looked
            found.append((path.stat().st_mtime_ns, path))
    return [path for _, path in sorted(found, reverse=True)]


def _char_map(text: str, qd: QueryDictionary) -> tuple[str, list[int]]:
    """Normalize character by character, remembering where each output character came from."""
    out, origin = [], []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch).lower()
        norm = "".join(qd.t2s.get(c, c) for c in norm)
        out.append(norm)
        origin.extend([i] * len(norm))
    return "".join(out), origin


def find_spans(text: str, terms: set[str], qd: QueryDictionary, found: set[str] | None = None) -> list[tuple[int, int]]:
    """Ranges of `text` where any term occurs, merged, in order; the terms seen go into `found`."""
    norm, origin = _char_map(text, qd)
    spans = []
    for term in terms:
        start = norm.find(term)
        if start != -1 and found is not None:
            found.add(term)
        while start != -1:
            end = start + len(term)
            spans.append((origin[start], origin[end - 1] + 1))
            start = norm.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def make_snippet(body: str, terms: set[str], qd: QueryDictionary) -> tuple[str, list[tuple[int, int]]]:
    """The sentence that covers the most informative query terms, trimmed around them."""
    sentences = [s.strip() for line in body.splitlines() for s in _SENTENCE_END.split(line) if s.strip()]
    if not sentences:
        return "", []
    best, best_score, best_spans = sentences[0], 0.0, []
    for sentence in sentences:
        covered: set[str] = set()
        spans = find_spans(sentence, terms, qd, covered)
        score = sum(qd.idf(t) for t in covered)
        if score > best_score:
            best, best_score, best_spans = sentence, score, spans
    if len(best) <= SNIPPET_CHARS:
        return best, best_spans
    first = best_spans[0][0] if best_spans else 0
    start = max(0, min(first - SNIPPET_CHARS // 4, len(best) - SNIPPET_CHARS))
    piece = best[start:start + SNIPPET_CHARS]
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_CHARS < len(best) else ""
    shift = len(prefix) - start
    spans = [(max(a + shift, len(prefix)), min(b + shift, len(prefix) + len(piece)))
             for a, b in best_spans if b > start and a < start + SNIPPET_CHARS]
    return prefix + piece + suffix, spans
