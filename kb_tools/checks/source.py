"""A page's text as the checks see it: lines with their region (front matter, body, fenced code,
HTML comment), the `kb:allow` markers, the links, and the "prose view" of a line: the characters
a reader sees, with Markdown syntax, code, links' targets and URLs taken out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools.checks.rules import PERSONAL_DATA, RULES
from kb_tools.markdown_text import ADMONITION_MARKER, ATTR_LIST, FENCE_MARK, HTML_COMMENT, TAG
from kb_tools.pages import split_front_matter

FRONT, BODY, FENCE, COMMENT, CODE, ABBR = "front", "body", "fence", "comment", "code", "abbr"
TOKEN = "\ue000"  # one atom standing for inline code or a URL: Latin for spacing, not CJK

_CONTAINER = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+|!!!|\?\?\?)")
_PRE_OPEN = re.compile(r"<pre\b", re.I)
_PRE_CLOSE = re.compile(r"</pre\s*>", re.I)
_ABBREVIATION = re.compile(r"^\s{0,3}\*\[[^\]]+\]:")
_ALLOW = re.compile(r"kb:allow\b(.*?)(?:-->|$)")
_ALLOW_CODE = re.compile(r"KB\d{3}")
_EXAMPLE_WORD = "示例"


@dataclass
class Line:
    number: int  # 1-based line in the file
    text: str  # without the line ending
    region: str


@dataclass
class SourceFile:
    rel: str  # relative to docs/
    display: str  # relative to the project root, as reported
    text: str
    lines: list[Line] = field(default_factory=list)
    body_line: int = 1
    front_text: str = ""  # the YAML between the --- lines

    @classmethod
    def parse(cls, rel: str, display: str, text: str) -> "SourceFile":
        """Regions are read conservatively: what might be code (a fence at any depth, an indented
        block, `<pre>`) or markup (abbreviation definitions) is never treated as prose."""
        source = cls(rel, display, text)
        source.front_text, _, source.body_line = split_front_matter(text)
        fence: str | None = None
        in_comment = in_pre = False
        container = previous_blank = False  # inside a list item or admonition; last line blank
        for number, raw in enumerate(text.splitlines(), 1):
            region = BODY
            if number < source.body_line:
                region = FRONT
            elif fence is not None:
                region = FENCE
                match = FENCE_MARK.match(raw)
                if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                        and not raw[match.end():].strip():
                    fence = None
            elif in_comment:
                region = COMMENT
                in_comment = "-->" not in raw
            elif in_pre:
                region = CODE
                in_pre = not _PRE_CLOSE.search(raw)
            elif opened := _PRE_OPEN.search(raw):
                region = CODE
                in_pre = not _PRE_CLOSE.search(raw, opened.end())
            elif match := FENCE_MARK.match(raw):
                fence, region = match.group(1), FENCE
            elif raw.strip() and _indent(raw) >= (8 if container else 4) and (previous_blank or source.lines[-1].region == CODE):
                region = CODE  # an indented code block
            elif _ABBREVIATION.match(raw):
                region = ABBR
            if region == BODY:
                last_open = raw.rfind("<!--")
                in_comment = last_open != -1 and "-->" not in raw[last_open:]
                if _CONTAINER.match(raw):
                    container = True
                elif raw.strip() and _indent(raw) == 0:
                    container = False
            source.lines.append(Line(number, raw, region))
            previous_blank = not raw.strip()
        return source

    def body_lines(self):
        return (line for line in self.lines if line.region == BODY)

    def allows(self, number: int, code: str) -> bool:
        """Whether a `kb:allow` marker on this line silences rule `code`."""
        if not RULES[code].allowable or not 1 <= number <= len(self.lines):
            return False
        for match in _ALLOW.finditer(self.lines[number - 1].text):
            words = match.group(1)
            if code in _ALLOW_CODE.findall(words):
                return True
            if _EXAMPLE_WORD in words and code in PERSONAL_DATA:
                return True
        return False


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def display_path(root: Path, docs_dir: Path, rel: str) -> str:
    """A page's path as reported: relative to the project root (docs/…), as GitHub annotations want it."""
    try:
        # docs/ resolved, the file itself not: a symlink is reported where it stands
        return (docs_dir.resolve() / rel).relative_to(root.resolve()).as_posix()
    except ValueError:
        return (docs_dir / rel).as_posix()


# -- the prose view ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Atom:
    pos: int  # index in the line
    char: str  # the character, or TOKEN for inline code and URLs
    end: int  # index after the atom (after the whole code span or URL for a TOKEN)


_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto|tel):[^<>\s]*>", re.I)
_REF_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S.*$")
# A bare URL runs to white space, quotes, angle brackets or Chinese punctuation: Chinese letters may
# belong to its path (https://example.com/停水?a=1), and --fix must never touch a URL.
_URL_END = "\\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20<>\"'`"
URL = re.compile(rf"(?:https?|ftp)://[^{_URL_END}]+|www\.[A-Za-z0-9-]+\.[^{_URL_END}]+", re.I)
_URL_TRAILING = ".,;:!?)'\""  # sentence punctuation after a URL is not part of it
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_ENTITY = re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_TRANSPARENT = set("*_~[]")
_DROP, _TOKEN, _TOKEN_REST = 1, 2, 3


def link_destinations(text: str) -> list[tuple[int, int]]:
    """(start, end) of each `(target)` after a `]`, parentheses included; also `[ref]` after `]`."""
    spans = []
    i = text.find("](")
    while i != -1:
        depth, j = 0, i + 1
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j < len(text):
            spans.append((i + 1, j + 1))
        i = text.find("](", j)
    for match in re.finditer(r"\](\[[^\]]*\])", text):
        spans.append((match.start(1), match.end(1)))
    return spans


def bare_urls(text: str) -> list[str]:
    """Every URL written out in the text, as `kb check` reads it (for --fix's guard)."""
    return [m.group().rstrip(_URL_TRAILING) for m in URL.finditer(text)]


def code_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _CODE_SPAN.finditer(text)]


def outside(spans: list[tuple[int, int]], start: int) -> bool:
    return not any(a <= start < b for a, b in spans)


def prose_atoms(text: str, *, markdown: bool = True) -> list[Atom]:
    """What a reader sees of one line, as atoms (position, character)."""
    claim = [0] * len(text)

    def take(start: int, end: int, kind: int) -> None:
        if start >= end or any(claim[start:end]):
            return
        claim[start] = kind
        rest = _TOKEN_REST if kind == _TOKEN else kind
        for k in range(start + 1, end):
            claim[k] = rest

    def take_all(pattern, kind, group=0):
        for match in pattern.finditer(text):
            take(match.start(group), match.end(group), kind)

    if markdown:
        take_all(HTML_COMMENT, _DROP)
        take_all(_CODE_SPAN, _TOKEN)
        take_all(_AUTOLINK, _TOKEN)
        take_all(_REF_DEFINITION, _DROP)
        for start, end in link_destinations(text):
            take(start, end, _DROP)
        take_all(TAG, _DROP)
        take_all(ATTR_LIST, _DROP)
    for match in URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        take(match.start(), match.start() + len(url), _TOKEN)
    take_all(_EMAIL, _TOKEN)
    if markdown:
        take_all(ADMONITION_MARKER, _DROP)
        for match in re.finditer(r"!\[", text):
            take(match.start(), match.start() + 1, _DROP)
        take_all(_ENTITY, _DROP)
    for match in _ESCAPE.finditer(text):
        take(match.start(), match.start() + 1, _DROP)
    atoms = []
    for pos, ch in enumerate(text):
        kind = claim[pos]
        if kind == _TOKEN:
            end = pos + 1
            while end < len(text) and claim[end] == _TOKEN_REST:
                end += 1
            atoms.append(Atom(pos, TOKEN, end))
        elif kind == 0 and not (markdown and ch in _TRANSPARENT):
            atoms.append(Atom(pos, ch, pos + 1))
    return atoms


# -- character classes ------------------------------------------------------------------------

def is_han(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3FFFF)


def is_cjk(ch: str) -> bool:
    """Han characters and the punctuation that surrounds them in Chinese text."""
    code = ord(ch)
    return is_han(ch) or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or ch in "“”‘’…—"


def is_latin(ch: str) -> bool:
    return ch == TOKEN or ("0" <= ch <= "9") or ("a" <= ch <= "z") or ("A" <= ch <= "Z")
