"""PyYAML's parse errors, told in plain Chinese at the place of the actual mistake.

PyYAML reports where the parser gave up, which is often the line after the mistake (a missing `]`
on line 4 is noticed on line 5) and in English. `explain` looks at the text around the marks the
error carries and names the usual editors' mistakes: an unclosed bracket or quote, a tab, an
unquoted colon, a missing colon, a misaligned line. Lines and columns are 1-based, within the YAML
text; the loader adds the offset of the page's opening `---`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLOSERS = {"[": "]", "{": "}"}
_EXAMPLES = {"]": "tags: [停水, 赔偿]", "}": "source: {title: 怎样通过物业找到业主？, date: 2023-11-21, sections: [5]}"}
_KEY_LINE = re.compile(r"^[^\s#\-][^:#]*:(\s|$)")


@dataclass(frozen=True)
class YamlProblem:
    line: int
    column: int
    message: str  # Chinese: what is wrong and what to do


def explain(err, text: str) -> YamlProblem:
    lines = text.split("\n") + [""]  # the parser may stop at the end of the text
    problem_mark = getattr(err, "problem_mark", None)
    context_mark = getattr(err, "context_mark", None)
    context = getattr(err, "context", None) or ""
    problem = getattr(err, "problem", None) or ""
    at = (problem_mark.line, problem_mark.column) if problem_mark else (0, 0)
    at = (min(at[0], len(lines) - 1), at[1])

    def char(line: int, column: int) -> str:
        return lines[line][column] if 0 <= line < len(lines) and 0 <= column < len(lines[line]) else ""

    def result(line: int, column: int, message: str) -> YamlProblem:
        return YamlProblem(line + 1, column + 1, message)

    # A tab in the indentation, wherever the parser noticed it.
    for number, line in enumerate(lines[:at[0] + 1]):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return result(number, indent.index("\t"),
                          "行首用了制表符（Tab）。front matter 只能用空格缩进：请把 Tab 换成空格（列表项前用两个空格）。")

    if "flow sequence" in context or "flow mapping" in context:
        opened = (min(context_mark.line, at[0]), context_mark.column) if context_mark else at
        opener = char(*opened) or ("[" if "sequence" in context else "{")
        closer = _CLOSERS.get(opener, "]")
        if at[0] > opened[0]:
            end = len(lines[opened[0]].rstrip())
            return result(opened[0], end,
                          f"缺少“{closer}”：这一行第 {opened[1] + 1} 列的“{opener}”没有配对的“{closer}”。"
                          f"请在这一行末尾补上“{closer}”，例如 `{_EXAMPLES[closer]}`。")
        return result(at[0], at[1],
                          f"“{opener}…{closer}”里这里缺少英文逗号“,”或“{closer}”。各项之间用英文逗号分隔，"
                          f"项目里有冒号时请给这一项加上引号。")

    if "quoted scalar" in context:
        opened = (min(context_mark.line, at[0]), context_mark.column) if context_mark else at
        quote = char(*opened) or "\""
        return result(opened[0], opened[1],
                      f"引号“{quote}”没有配对的另一半。请在这个值的末尾补上“{quote}”，或者去掉引号。")

    if "simple key" in context or "mapping values are not allowed" in problem:
        missing = _line_without_colon(lines, at[0])
        if missing is not None:
            number, line = missing
            wide = line.find("：")
            if wide >= 0:
                return result(number, wide, "字段名后面用了中文冒号“：”。字段名和值之间要用英文冒号加空格，"
                                            "例如 `title: 停水了怎么办？`。")
            return result(number, len(line) - len(line.lstrip()),
                          "这一行缺少英文冒号。每个字段写成 `字段名: 值`（冒号后面有一个空格）。")
        if "mapping values are not allowed" in problem:
            line = lines[at[0]]
            first = line.find(": ")
            if line[:1].isspace() and (first < 0 or first >= at[1]):
                return result(at[0], 0, "这一行前面多了空格。字段名要顶格写，与上面的字段对齐。")
            return result(at[0], at[1], "值里有英文冒号加空格“: ”，会被当成新的字段。请给整个值加上引号，"
                                        "例如 `title: \"注意: 停水\"`，或把冒号改为中文冒号“：”。")

    if "undefined alias" in problem or "cannot start any token" in problem:
        first = char(*at)
        return result(at[0], at[1], f"值不能以“{first}”开头。请给整个值加上引号，例如 `title: \"{first}…\"`。")

    if "expected key" in problem or "block end" in problem:
        first = char(*at)
        if first in ("]", "}"):
            return result(at[0], at[1], f"多了一个“{first}”。请删掉它，或检查括号是否成对。")
        if at[1] > 0 and char(at[0], at[1] - 1) in ("\"", "'"):
            return result(at[0], at[1], "引号后面还有文字。请把整个值放在一对引号里，例如 `title: \"…\"`。")
        return result(at[0], at[1], "这一行的缩进与上面的字段不一致。同一层的字段要对齐；列表项 `- ` 前面的空格要一样多。")

    return result(at[0], at[1], "这里的格式有误。请检查缩进（只用空格）、字段名后的英文冒号和成对的引号、括号。")


def _line_without_colon(lines: list[str], last: int):
    """The first top-level line up to `last` that should be `key: value` but has no colon."""
    for number, line in enumerate(lines[:last + 1]):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "-")) or line[:1].isspace():
            continue
        if not _KEY_LINE.match(line):
            return number, line
    return None
