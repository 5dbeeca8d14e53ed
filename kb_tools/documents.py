"""The Whoosh document for each page: its parts analysed with the shared pipeline (jieba runs
here), in worker processes on large builds. Index builds only: a search never imports this."""

from __future__ import annotations

import os

from kb_tools import engine
from kb_tools.pages import Page
from kb_tools.text import normalize

# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 300
_todo: list = []  # what forked workers analyse, inherited instead of pickled


def page_document(page: Page, digest: str) -> dict:
    """The Whoosh document for a page, its text analysed."""
    from kb_tools import markdown_text

    body_plain = markdown_text.plain_text(page.body)
    parts = {
        "title": page.title,
        "aliases": "\n".join(page.aliases),
        "tags": " ".join(page.tags),
        "headings": "\n".join(markdown_text.headings(page.body)),
        "category": page.category or "",
        "body": body_plain,
    }
    return {
        "path": page.path,
        "category_id": page.category_dir or "",
        "tag": ",".join(page.tags),
        "title_text": page.title,
        "category_name": page.category or "",
        "body_text": body_plain,
        "digest": digest,
        "status": page.status or "",
        "text": engine.analyse({name: normalize(value) for name, value in parts.items()}),
    }


def _analyze(i: int) -> dict:
    return page_document(*_todo[i])


def documents(todo: list[tuple[Page, str]]):
    """Documents to add, in order. On large builds jieba runs in forked worker processes (which
    inherit its loaded dictionary) while this process feeds Whoosh, whose writer is serial."""
    workers = os.cpu_count() or 1
    if len(todo) < PARALLEL_MIN_PAGES or workers < 2:
        for page, digest in todo:
            yield page_document(page, digest)
        return
    global _todo
    _todo = todo
    try:
        import multiprocessing  # index builds only: a search never needs it

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_analyze, range(len(todo)), chunksize=16)
    finally:
        _todo = []
