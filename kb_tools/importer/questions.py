"""Where the questions of an article begin and end.

Three layouts are recognised, tried in this order:

* 问/答 pairs: a block starting 问：(or Q:) opens a question, 答：(A:) its answer;
* headings (Markdown `#`, HTML `<h1>`–`<h6>`): the level whose headings are questions;
* numbered lines: 一、 （一） 1. 1、 （1） — the numbering style whose items, counted 1, 2, 3 …
  without a gap, are questions. Numbering that restarts inside an answer (the 一、二、 of a
  sub-list, or 1. 2. steps) is not in that count, so it stays in the answer.

A question is a line ending in ？ (or ?); items that are not questions are only taken when no
style has two or more questions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb_tools.importer.reading import Block

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "零〇一二两三四五六七八九十百"
STYLES = {
    "一、": re.compile(rf"^([{_CN}]+)\s*[、.．]\s*(.+)$"),
    "（一）": re.compile(rf"^[（(]([{_CN}]+)[）)]\s*[、.．]?\s*(.+)$"),
    "1.": re.compile(r"^(\d{1,3})\s*[.．](?!\d)\s*(.+)$"),
    "1、": re.compile(r"^(\d{1,3})\s*、\s*(.+)$"),
    "（1）": re.compile(r"^[（(](\d{1,3})[）)]\s*[、.．]?\s*(.+)$"),
    "第一": re.compile(rf"^第([{_CN}\d]+)[问题个条]?\s*[、.．:：]\s*(.+)$"),
}
_QUESTION_PREFIX = re.compile(r"^(?:问|提问|问题|Q)\s*\d*\s*[:：]\s*(.*)$", re.I)
_ANSWER_PREFIX = re.compile(r"^(?:答|回答|解答|A)\s*\d*\s*[:：]\s*(.*)$", re.I)
_QUESTION_END = re.compile(r"[？?][”’\"')）]?$")
_SENTENCE_END = re.compile(r"[。；;，,：:！!]$")
MAX_TITLE = 60


def cn_number(text: str) -> int | None:
    """一 … 九十九 and plain digits."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    value = (_CN_DIGITS.get(tens, -100) if tens else 1) * 10 + (_CN_DIGITS.get(units, -100) if units else 0)
    return value if 0 < value < 100 else None


def is_question(text: str) -> bool:
    return bool(_QUESTION_END.search(text))


@dataclass
class Question:
    number: int  # the article's own section number (or the question's place in it)
    title: str
    where: str
    text: str = ""  # the line as the article writes it
    answer: list[Block] = field(default_factory=list)


@dataclass
class Split:
    layout: str  # how the questions were found, in Chinese, for the report
    preamble: list[Block]  # before the first question
    questions: list[Question]


def split(blocks: list[Block]) -> Split | None:
    for finder in (_qa_pairs, _headings, _numbered):
        found = finder(blocks)
        if found is not None:
            return found
    return None


def _assemble(blocks: list[Block], starts: dict[int, tuple[int, str]], layout: str) -> Split:
    """`starts`: block index -> (number, title)."""
    preamble: list[Block] = []
    questions: list[Question] = []
    for i, block in enumerate(blocks):
        if i in starts:
            number, title = starts[i]
            questions.append(Question(number, title, block.where, block.text))
        elif questions:
            questions[-1].answer.append(block)
        else:
            preamble.append(block)
    return Split(layout, preamble, questions)


def _qa_pairs(blocks: list[Block]) -> Split | None:
    out: list[Block] = []
    starts: dict[int, tuple[int, str]] = {}
    answered = False
    for block in blocks:
        text = _strip_number(block.text)
        question = _QUESTION_PREFIX.match(text)
        if question and question.group(1):
            starts[len(out)] = (len(starts) + 1, question.group(1).strip())
            out.append(block)
            continue
        answer = _ANSWER_PREFIX.match(text)
        if answer and starts:
            answered = True
            if answer.group(1):
                out.append(Block(answer.group(1).strip(), block.where))
            continue
        out.append(block)
    if len(starts) < 2 or not answered:
        return None
    return _assemble(out, starts, "“问：/答：”成对的问答")


def _strip_number(text: str) -> str:
    for pattern in STYLES.values():
        match = pattern.match(text)
        if match and cn_number(match.group(1)) is not None:
            return match.group(2)
    return text


def _headings(blocks: list[Block]) -> Split | None:
    levels: dict[int, list[int]] = {}
    for i, block in enumerate(blocks):
        if block.heading and is_question(block.text):
            levels.setdefault(block.heading, []).append(i)
    if not levels:
        return None
    level, indexes = max(levels.items(), key=lambda item: (len(item[1]), -item[0]))
    if len(indexes) < 2 and not any(b.heading and b.heading < level for b in blocks):
        return None
    starts = {}
    for position, i in enumerate(indexes, 1):
        number, title = _numbered_title(blocks[i].text)
        starts[i] = (number or position, title)
    return _assemble(blocks, starts, f"以问号结尾的 {level} 级标题")


def _numbered_title(text: str) -> tuple[int | None, str]:
    for pattern in STYLES.values():
        match = pattern.match(text)
        if match and cn_number(match.group(1)) is not None:
            return cn_number(match.group(1)), match.group(2).strip()
    return None, text


def _numbered(blocks: list[Block]) -> Split | None:
    best = None
    for style, pattern in STYLES.items():
        for questions_only in (True, False):
            chain = _chain(blocks, pattern, questions_only)
            score = (sum(is_question(title) for _, (_, title) in chain.items()), len(chain))
            if len(chain) >= 2 and (questions_only or score[0] < 2) and (best is None or score > best[0]):
                best = (score, style, chain)
    if best is None:
        return None
    _, style, chain = best
    return _assemble(blocks, chain, f"“{style}”编号的小节")


def _chain(blocks: list[Block], pattern: re.Pattern, questions_only: bool) -> dict[int, tuple[int, str]]:
    """Items of one numbering style counted 1, 2, 3 … in order; others of that style are skipped."""
    chain: dict[int, tuple[int, str]] = {}
    expected = 1
    for i, block in enumerate(blocks):
        match = pattern.match(block.text)
        if not match or len(block.text) > MAX_TITLE:
            continue
        number, title = cn_number(match.group(1)), match.group(2).strip()
        if number != expected:
            continue
        if questions_only and not is_question(title):
            continue
        if not questions_only and _SENTENCE_END.search(title):
            continue
        chain[i] = (number, title)
        expected += 1
    return chain
