"""KB105: a new question that is already answered elsewhere.

Two steps, both on the search index, so "similar" means what search means by it:

1. search the new page's title; the three best other pages are the candidates;
2. compare phrasings: the title and aliases of the new page against those of each candidate, term
   by term as the index segments them (synonyms count as the same term), each term weighted by its
   IDF so that 物业 and 业主 count for little. The score is a weighted Dice coefficient in [0, 1].

A candidate scoring SIMILAR or more is reported. Measured on the curated pages (November 2026
dictionaries, the new page in the index as `kb check` builds it): new questions on a topic already
covered scored 0.18 to 0.60 against the closest page; rephrasings of an existing question 0.67 to
0.94. The score moves with the dictionaries, so the tests pin one clear case on each side.
"""

from __future__ import annotations

from kb_tools.pages import Page

SIMILAR = 0.65
CANDIDATES = 3


def _weights(text: str, qd) -> dict[str, float]:
    from kb_tools.search import plan_query

    weights: dict[str, float] = {}
    for term in plan_query(text, qd).terms:
        canonical = min([term, *qd.synonyms.get(term, ())])
        weights[canonical] = max(weights.get(canonical, 0.0), qd.idf(term))
    return weights


def similarity(a: str, b: str, qd) -> float:
    wa, wb = _weights(a, qd), _weights(b, qd)
    total = sum(wa.values()) + sum(wb.values())
    shared = wa.keys() & wb.keys()
    return sum(wa[t] + wb[t] for t in shared) / total if total else 0.0


def phrasing_similarity(page: Page, other: Page, qd) -> tuple[float, str, str]:
    """The best-matching pair of phrasings: (score, phrasing of page, phrasing of other)."""
    return max((similarity(a, b, qd), a, b) for a in (page.title, *page.aliases) for b in (other.title, *other.aliases))


def similar_pages(searcher, page: Page, pages: dict[str, Page]) -> list[tuple[Page, float, str, str]]:
    results = searcher.search(page.title, limit=CANDIDATES + 1)
    found = []
    for result in [r for r in results if r.path != page.path][:CANDIDATES]:
        other = pages.get(result.path)
        if other is None or other.kind != "question":
            continue
        score, mine, theirs = phrasing_similarity(page, other, searcher.qd)
        if score >= SIMILAR:
            found.append((other, score, mine, theirs))
    return found
