"""Query-time segmentation over a compact dictionary (the index's own vocabulary).

The algorithm is jieba's precise mode without HMM: build the DAG of dictionary words starting
at each character, pick the route with the highest product of word probabilities (unknown
characters count as frequency 1), then, as jieba's search mode does, also emit the 2- and
3-character dictionary words inside longer words. Because the dictionary holds exactly the
index's terms (with jieba's frequencies), every term a query yields can match the index.

JavaScript twin: `Analyzer.prototype.route`, `cut` and `cutForSearch` in
overrides/assets/javascripts/kb-search-worker.js; tests/test_query_agreement.py checks the two
agree on generated queries.
"""

from __future__ import annotations

import re
from math import log

# Runs jieba would segment: ideographs, Latin letters, digits and a few joiners. Kept as source
# text, like ALNUM: the site's search worker receives both in its data file.
BLOCK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffa-z0-9+#&._%\-]+"
ALNUM = r"[a-z0-9]"
_BLOCK = re.compile(f"({BLOCK})")
_ALNUM = re.compile(ALNUM)


class Segmenter:
    def __init__(self, frequencies: dict[str, int], total: int):
        self.freq = frequencies
        self.log_total = log(max(total, 2))
        self.max_len = max((len(w) for w in frequencies), default=1)

    def _dag(self, text: str) -> list[list[int]]:
        n, freq, max_len = len(text), self.freq, self.max_len
        dag = []
        for i in range(n):
            ends = [j for j in range(i + 2, min(n, i + max_len) + 1) if text[i:j] in freq]
            ends.append(i + 1)
            dag.append(ends)
        return dag

    def _route(self, text: str) -> list[str]:
        n, freq, log_total = len(text), self.freq, self.log_total
        dag = self._dag(text)
        best = [(0.0, n)] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i] = max(
                ((log(freq.get(text[i:j]) or 1) - log_total + best[j][0], j) for j in dag[i]),
            )
        words, i, latin = [], 0, ""
        while i < n:
            j = best[i][1]
            word = text[i:j]
            if j - i == 1 and _ALNUM.match(word):
                latin += word  # consecutive unknown Latin letters/digits stay one word, as in jieba
            else:
                if latin:
                    words.append(latin)
                    latin = ""
                words.append(word)
            i = j
        if latin:
            words.append(latin)
        return words

    def cut(self, text: str) -> list[str]:
        """Precise mode; `text` must already be normalized. Separators are dropped."""
        words: list[str] = []
        for block in _BLOCK.split(text):
            if block and _BLOCK.fullmatch(block):
                words.extend(self._route(block))
        return words

    def cut_for_search(self, text: str) -> list[str]:
        freq = self.freq
        out: list[str] = []
        for word in self.cut(text):
            for size in (2, 3):
                if len(word) > size:
                    out.extend(word[i:i + size] for i in range(len(word) - size + 1) if word[i:i + size] in freq)
            out.append(word)
        return out
