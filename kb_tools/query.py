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

The answer/no-answer decision lives here too (`coverage`, `verdict`): a page answers a question
when it holds most of the question's informative content. Each word of the question (precise
segmentation, stop words out) weighs its idf; a word the knowledge base never uses weighs the
most, since it is exactly what no page talks about. A page covers a word when it holds the word
or a synonym, and half a word when it holds only a piece of it. Twin: `Analyzer.units` and
`coverage` in the worker; the agreement test compares verdicts too.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from kb_tools.errors import IndexUnavailable
from kb_tools.ranking import (ANSWER_COVERAGE, MAX_QUERY_CHARS, MAX_QUERY_TERMS, PART_COVER,
                              SINGLE_CHAR_WEIGHT, SYNONYM_WEIGHT, UNKNOWN_WEIGHT, idf)
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
    from kb_tools import lexicon  # index time only: a search must not pay for its imports

    freq = segmenter.frequencies
    general = lexicon.tables(freq)
    words = {term: [freq.get(term) or 1, count] for term, count in df.items()}
    for word in resources.domain_words:
        words.setdefault(word, [freq.get(word) or 1, 0])
    function = function_words(resources, general)
    # Stop words and function words join the segmenter's dictionary so that a query cuts them
    # as words (怎样, not 怎 + 样) and they then drop out, instead of leaving stray characters.
    for word in sorted(resources.stopwords | function):
        if len(word) > 1:
            words.setdefault(word, [freq.get(word) or 1, 0])
    pinyin = pinyin_table({w for w, (_, n) in words.items() if n and 1 < len(w) <= 4}, general["readings"])
    for word in homophone_words(words, pinyin, general["common"]):
        words.setdefault(word, [freq[word], 0])
    return {
        "pipeline_version": PIPELINE_VERSION,
        "total": segmenter.total,
        "docs": docs,
        "length": length,
        "words": words,
        "synonyms": [list(g) for g in resources.synonyms],
        "stopwords": sorted(resources.stopwords),
        "function": sorted(function),
        "pinyin": pinyin,
        # Two strings of as many characters (code points), traditional and simplified: a third of
        # a {char: char} map's size.
        "t2s": ["".join(pair) for pair in zip(*t2s_for(words, pinyin, resources.stopwords | function))] or ["", ""],
        "t2s_phrases": t2s_phrase_table(words),
    }


def pinyin_table(held, readings: dict[str, str]) -> dict[str, str]:
    """Toneless pinyin (the most common reading, from the pypinyin package) of the 3,755 common
    characters (GB 2312 level 1) and of every character of the index's words `held`, grouped by
    sound: {"wu": "物误无…"}. What typo tolerance needs to hear a query as it was typed on a pinyin
    IME. Sounds that no character of those words has are left out: they can never sound like one.
    `readings` are kb_tools.lexicon's; a character they lack is looked up."""
    from kb_tools import lexicon

    chars = lexicon.common_characters()
    held_chars = {c for w in held for c in w}
    chars |= {c for c in held_chars if "\u4e00" <= c <= "\u9fff"}
    sound = {c: readings[c] if c in readings else lexicon.reading(c) if _is_cjk(c) else ""
             for c in chars | held_chars}
    table: dict[str, list[str]] = {}
    for char in sorted(chars):
        if sound[char]:
            table.setdefault(sound[char], []).append(char)
    used = {sound[c] for c in held_chars if sound[c]}
    return {key: "".join(chars) for key, chars in sorted(table.items()) if key in used}


def _is_cjk(char: str) -> bool:
    return any(lo <= ord(char) <= hi for lo, hi in CJK_RANGES)


def homophone_words(words, pinyin: dict[str, str], common: list) -> list[str]:
    """Real words (jieba's dictionary, the common ones: kb_tools.lexicon) that sound like a word
    the index holds: 新任 beside 信任. In the query dictionary they are cut as words, so a query's
    新任 is never taken for a typo. Rare words (jieba frequency under HOMOPHONE_MIN_FREQ) stay out:
    they cost the site's search data more than the rare wrong correction they would prevent."""
    sound = {c: s for s, chars in pinyin.items() for c in chars}
    held = {" ".join(sound[c] for c in w) for w, (_, df) in words.items()
            if df and 1 < len(w) <= 4 and all(c in sound for c in w)}
    return sorted(word for word, _, key in common
                  if key in held and word not in words and all(c in sound for c in word))


def function_words(resources: Resources, general: dict) -> frozenset[str]:
    """Words too common in general Chinese to say what a question is about (为了, 问题, 觉得):
    jieba's own idf table (from a large general corpus, shipped inside the jieba package) below
    FUNCTION_IDF (kb_tools.lexicon). They still rank pages; they are not evidence that a page
    answers. Domain words are never function words."""
    return frozenset(general["function"]) - set(resources.domain_words)


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


def t2s_for(words, pinyin: dict[str, str], function) -> list[tuple[str, str]]:
    """The character conversions a query can need: those whose simplified character occurs in a
    word of the query dictionary, a stop or function word, or the pinyin table. Any other
    simplified character is unknown to every table, so a query behaves the same whether it holds
    that character or its traditional form; leaving them out halves the site's search data's
    largest table. (The index's text is all in these words: every character of a page is in one
    of its terms or stop words.)"""
    known = set().union(*words, *pinyin.values(), *function)
    return [(t, s) for t, s in t2s_char_table().items() if s in known]


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

@dataclass(frozen=True)
class Unit:
    """One informative word of the question, as evidence for the verdict."""
    word: str
    weight: float
    covers: tuple[str, ...]  # index terms that cover it: the word itself and its synonyms
    parts: tuple[str, ...]  # indexed pieces of the word (2 or 3 characters) that cover part of it


@dataclass
class QueryPlan:
    text: str  # normalized query
    terms: list[str]  # the query's own terms that the index knows, most informative first
    groups: list[list[tuple[str, float]]]  # each term with its synonyms
    fallback: bool = False  # terms came from the substring fallback
    units: list[Unit] = field(default_factory=list)  # the question's informative words

    @property
    def evidence(self) -> list[str]:
        """Every term whose presence in a page the verdict looks at."""
        terms = [t for g in self.groups for t, _ in g]
        terms += [t for u in self.units for t in (*u.covers, *u.parts)]
        return list(dict.fromkeys(terms))

    @property
    def required(self) -> list[str]:
        """Terms of two characters or more: a page must hold one of them to be a result."""
        return [t for g in self.groups for t, _ in g if len(t) > 1]


class QueryDictionary:
    def __init__(self, data: dict):
        words = data["words"]
        # querydict.json maps word -> [freq, df]; the site's data lists [word, freq, df] in order.
        self.words: dict[str, list[int]] = words if isinstance(words, dict) else {w[0]: w[1:] for w in words}
        self.docs: int = max(1, data["docs"])
        self.length: int = data["length"]
        self.stopwords = frozenset(data["stopwords"])
        self.function = frozenset(data.get("function", ())) | self.stopwords
        self.t2s: dict[str, str] = dict(zip(*data["t2s"]))
        self.t2s_phrases: dict[str, str] = data.get("t2s_phrases", {})
        self.phrase_len = max(map(len, self.t2s_phrases), default=0)
        self.phrase_starts = {p[0] for p in self.t2s_phrases}
        self.synonyms: dict[str, list[str]] = {}
        for group in data["synonyms"]:
            for word in group:
                self.synonyms.setdefault(word, []).extend(w for w in group if w != word)
        self.segmenter = Segmenter({w: v[0] for w, v in self.words.items()}, data["total"])
        self._pinyin: dict[str, str] = data.get("pinyin", {})

    # Typo tolerance's tables are built on first use: most queries never need them (a run of two
    # single characters is what asks for them), and a cold `kb search` should not pay for them.
    @cached_property
    def sound(self) -> dict[str, str]:
        return {c: s for s, chars in self._pinyin.items() for c in chars}

    @cached_property
    def sounds_like(self) -> dict[str, str]:
        """The pinyin of each index word -> the word (the one in most pages, when several)."""
        table: dict[str, str] = {}
        for word in sorted((w for w, v in self.words.items() if v[1] and 1 < len(w) <= 4), key=lambda w: (-self.df(w), w)):
            key = self.heard(word)
            if key:
                table.setdefault(key, word)
        return table

    def heard(self, text: str) -> str | None:
        """The toneless pinyin of `text`, or None if a character has none in the table."""
        sounds = [self.sound.get(c) for c in text]
        return None if None in sounds else " ".join(sounds)

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


def correct_homophones(text: str, qd: QueryDictionary) -> str:
    """Typos of a pinyin IME: where the segmenter finds only single characters (误业费 → 误 业 费,
    no word of the dictionary), a run of 2–4 of them that sounds exactly like a word the index
    holds becomes that word (物业费), the longest first. Real words that sound alike (新任 beside
    信任) are in the dictionary and so never single characters; stop words break a run."""
    out, pos, run = [], 0, []  # run: (start, char) of consecutive single-character words

    def flush():
        i = 0
        while i < len(run):
            for n in (4, 3, 2):
                if i + n <= len(run):  # a run holds adjacent characters only (flushed at a gap)
                    window = "".join(c for _, c in run[i:i + n])
                    key = qd.heard(window)
                    word = qd.sounds_like.get(key) if key else None
                    if word and word != window:
                        out.append((run[i][0], n, word))
                        i += n
                        break
            else:
                i += 1
        run.clear()

    for token in qd.segmenter.cut(text):
        start = text.find(token, pos)
        pos = start + len(token)
        if len(token) == 1 and "\u4e00" <= token <= "\u9fff" and token not in qd.stopwords:
            if run and run[-1][0] != start - 1:
                flush()
            run.append((start, token))
        else:
            flush()
    flush()
    for start, n, word in reversed(out):
        text = text[:start] + word + text[start + n:]
    return text


def plan_query(raw: str, qd: QueryDictionary) -> QueryPlan:
    text = correct_homophones(qd.normalize(raw[:MAX_QUERY_CHARS]), qd)
    tokens = [t for t in qd.segmenter.cut_for_search(text) if is_term(t, qd.stopwords)]
    counts = Counter(tokens)
    known = [t for t in counts if qd.df(t) or any(qd.df(s) for s in qd.synonyms.get(t, ()))]
    if len(known) > MAX_QUERY_TERMS:
        known = sorted(known, key=lambda t: -(1 + math.log(counts[t])) * qd.idf(t))[:MAX_QUERY_TERMS]
    groups = [_group(t, qd) for t in known]
    return QueryPlan(text, known, [g for g in groups if g], units=_units(text, qd))


def _units(text: str, qd: QueryDictionary) -> list[Unit]:
    """The question's informative words. Characters the query dictionary does not know come out
    of the segmenter one by one (对门 → 对, 门); a run of them is one unknown word."""
    units, run = [], ""
    unknown = idf(0, qd.docs)

    def flush():
        nonlocal run
        if run:
            units.append(Unit(run, unknown * UNKNOWN_WEIGHT * (SINGLE_CHAR_WEIGHT if len(run) == 1 else 1.0), (), ()))
            run = ""

    for word in qd.segmenter.cut(text):
        if not is_term(word, qd.function):
            flush()
            continue
        covers = tuple(w for w in (word, *qd.synonyms.get(word, ())) if qd.df(w))
        if len(word) == 1 and not covers:
            run += word
            continue
        flush()
        weight = idf(min(qd.df(w) for w in covers), qd.docs) if covers else unknown * UNKNOWN_WEIGHT
        if len(word) == 1:
            weight *= SINGLE_CHAR_WEIGHT
        parts = tuple(dict.fromkeys(
            word[i:i + size] for size in (2, 3) if len(word) > size
            for i in range(len(word) - size + 1) if qd.df(word[i:i + size])))
        units.append(Unit(word, weight, covers, parts))
    flush()
    return list({u.word: u for u in units}.values())


def coverage(units: list[Unit], held) -> float:
    """The share of the question's weight that a page holding the terms `held` covers."""
    total = got = 0.0
    for unit in units:
        total += unit.weight
        if any(w in held for w in unit.covers):
            got += unit.weight
        elif any(p in held for p in unit.parts):
            got += unit.weight * PART_COVER
    return got / total if total else 0.0


def answers(plan: QueryPlan, held) -> bool:
    """Whether a page holding the terms `held` answers the question (never from the fallback's
    guesses, which are words merely resembling the question's)."""
    # Rounded: the worker's Math.log may differ from math.log in the last bit.
    return not plan.fallback and round(coverage(plan.units, held), 9) >= ANSWER_COVERAGE


def shown_terms(plan: QueryPlan, qd: QueryDictionary) -> set[str]:
    """The terms a result marks in its title and snippet: not function words (不, 里, 不能, 一直
    marked all over a page say nothing to a reader; 泡 does) unless the query has nothing else."""
    terms = {t for g in plan.groups for t, _ in g}
    return {t for t in terms if t not in qd.function} or terms


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
        for j in range(i + 2, min(n, i + qd.segmenter.max_len) + 1):
            piece = text[i:j]
            if qd.df(piece) and is_term(piece, qd.stopwords):
                found.append(piece)
    if not found:
        pieces = [t for t in qd.segmenter.cut(text) if is_term(t, qd.stopwords)]
        if len(pieces) > 1:  # lone characters of a longer query (区块链 → 区) are not its words
            pieces = [p for p in pieces if len(p) > 1]
        found = sorted(
            (w for w in qd.words if qd.df(w) and len(w) > 1 and any(p in w for p in pieces)),
            key=lambda w: -qd.df(w),
        )[:MAX_QUERY_TERMS]
    found = list(dict.fromkeys(found))[:MAX_QUERY_TERMS]
    return QueryPlan(text, found, [[(t, 1.0)] for t in found], fallback=True, units=_units(text, qd))
