"""Answer a question from the index: plan the query (kb_tools.query), rank, snippet.

Reads the store (kb_tools.store) and never writes it: building is kb_tools.indexer's job.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools import categories, engine, store
from kb_tools.errors import IndexUnavailable, QueryError
from kb_tools.project import Project, page_url
from kb_tools.query import QueryDictionary, QueryPlan, answers, fallback_plan, plan_query, shown_terms
from kb_tools.ranking import RELATED_SHOWN
from kb_tools.snippets import make_snippet



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
    match: str = "related"  # "answer": the page answers the question; "related": it only shares words

    def as_json(self) -> dict:
        return {"path": self.path, "title": self.title, "category": self.category, "url": self.url,
                "score": round(self.score, 4), "snippet": self.snippet,
                "highlights": [self.snippet[a:b] for a, b in self.spans], "status": self.status,
                "match": self.match}


@dataclass
class Answer:
    """A search's outcome: whether some page answers the question, and the pages, best first.
    When none answers, only the first RELATED_SHOWN pages are kept, all marked related."""
    query: str
    answered: bool
    results: list[Result]

    def as_json(self) -> dict:
        return {"query": self.query, "answered": self.answered, "results": [r.as_json() for r in self.results]}


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
                live = store.current_generation(index_dir)
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
                if store.current_generation(index_dir) == live:
                    break
        for older in store.generations_newest_first(index_dir):
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
        self.meta = store.read_meta(generation)
        self.qd = QueryDictionary.load(generation)
        ix = None
        try:
            ix = engine.open_dir(str(generation))
            self._searcher = engine.open_searcher(ix, self.qd)
        except Exception as err:  # Whoosh raises many types for damaged files
            if ix is not None:
                ix.close()
            raise IndexUnavailable(
                f"索引 {generation.name} 无法打开（{type(err).__name__}）。请运行 `kb index --full` 重建。") from None
        self.ix = ix

    def resolve_category(self, value: str) -> str:
        """The folder of a category given by folder or name, from the index alone."""
        return categories.resolve(self.meta.get("categories", {}), value)

    def close(self) -> None:
        self._searcher.close()
        self.ix.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def search(self, raw: str, *, limit: int = 10, category: str | None = None, tag: str | None = None) -> list[Result]:
        """The ranked pages, answering or not (evaluation and benchmarks rank all of them)."""
        return self._search(raw, limit, category, tag)[1]

    def verdict(self, raw: str, *, limit: int = 10) -> tuple[bool, list[Result]]:
        """Whether a page answers, and every ranked page (for evaluation)."""
        return self._search(raw, limit, None, None)

    def ask(self, raw: str, *, limit: int = 10, category: str | None = None, tag: str | None = None) -> Answer:
        """The verdict and the pages to show: when no page answers, at most RELATED_SHOWN."""
        answered, results = self._search(raw, limit, category, tag)
        return Answer(raw, answered, results if answered else results[:RELATED_SHOWN])

    def _search(self, raw, limit, category, tag) -> tuple[bool, list[Result]]:
        if not isinstance(raw, str):
            raise QueryError("查询是空的。" if raw is None else "查询必须是文字。")
        plan = plan_query(raw, self.qd)
        if not re.search(r"\w", plan.text):
            raise QueryError("查询是空的。请输入要查找的问题，例如：kb search 楼上漏水把地板泡了")
        hits = self._run(plan, limit, category, tag)
        if not hits:
            plan = fallback_plan(plan.text, self.qd)
            hits = self._run(plan, limit, category, tag)
        results = [self._result(hit, plan) for hit in hits]
        answering = [answers(plan, hit.terms) for hit in hits]
        answered = bool(hits) and answering[0]
        if answered:
            for result, answer in zip(results, answering):
                if answer:
                    result.match = "answer"
        return answered, results

    def _run(self, plan, limit, category, tag):
        try:
            return engine.search(self._searcher, plan.groups, limit=limit, category=category, tag=tag,
                                 require=plan.required, evidence=plan.evidence)
        except Exception as err:
            raise IndexUnavailable(
                f"索引 {self.generation.name} 读取失败（{type(err).__name__}）。请运行 `kb index --full` 重建。") from None

    def _result(self, hit: engine.Hit, plan: QueryPlan) -> Result:
        stored = hit.stored
        snippet, spans = make_snippet(stored.get("body_text", ""), shown_terms(plan, self.qd), self.qd)
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
