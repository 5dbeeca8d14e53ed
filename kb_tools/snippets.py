"""Snippets: the sentence of a page that best shows why it answers, with the query's words marked.

JavaScript twin: `Engine.prototype.spans` and `Engine.prototype.snippet` in
overrides/assets/javascripts/kb-search-worker.js, which splits sentences with SENTENCE_END from
the site's data file. tests/test_site_search.py checks both cut and highlight alike.
"""

from __future__ import annotations

import re
import unicodedata

from kb_tools.query import QueryDictionary
from kb_tools.ranking import SNIPPET_CHARS

# The characters that end a sentence; the worker receives this class through its data file.
SENTENCE_END = r"[。！？；!?;\n]"
_SENTENCE_SPLIT = re.compile(f"(?<={SENTENCE_END})")


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
    sentences = [s.strip() for line in body.splitlines() for s in _SENTENCE_SPLIT.split(line) if s.strip()]
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
