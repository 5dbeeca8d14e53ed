"""KB501–KB503: Chinese typography. Mechanical rules, so each finding carries its own repair.

Only what a reader sees is checked: inline code, code blocks, link targets, URLs, HTML tags,
attribute lists and front-matter keys are left alone. In front matter, the texts shown on the
site are checked (title, aliases, description, review_note, source.title), one-line values only.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from kb_tools.checks.fix import apply_edits
from kb_tools.markdown_text import HTML_COMMENT
from kb_tools.checks.rules import Edit, Finding
from kb_tools.checks.source import (TOKEN, Atom, SourceFile, is_cjk, is_han, is_latin, link_destinations,
                                    prose_atoms)
from kb_tools.text import DATA_DIR

FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
SHOWN_KEYS = ("title", "aliases", "description", "review_note")
NAME_KEYS = ("tags", "category")
CONTEXT = 4
MAX_PASSES = 5  # a repair can make a neighbour checkable (a look-alike becomes a Han character)
_CLOSED_MARKUP = (("</", ">"), ("{", "}"))  # markup that ends the word before it (and comments)


def check(source: SourceFile) -> list[Finding]:
    findings: list[Finding] = []
    for line in source.body_lines():
        atoms = prose_atoms(line.text)
        findings += _punctuation(source, line.number, line.text, atoms)
        findings += _spacing(source, line.number, line.text, atoms)
        findings += _lookalikes(source, line.number, line.text, atoms)
    for number, start, end, prose in _shown_front_matter(source):
        text = source.lines[number - 1].text
        atoms = [a for a in prose_atoms(text[:end], markdown=False) if a.pos >= start]
        if prose:
            findings += _punctuation(source, number, text, atoms)
            findings += _spacing(source, number, text, atoms)
        findings += _lookalikes(source, number, text, atoms)
    return findings


def fix_text(text: str) -> str:
    """A one-line plain text (a title, an alias) with the mechanical typography rules applied."""
    probe = SourceFile("", "", text)
    for _ in range(MAX_PASSES):
        atoms = prose_atoms(text, markdown=False)
        findings = (_punctuation(probe, 1, text, atoms) + _spacing(probe, 1, text, atoms)
                    + _lookalikes(probe, 1, text, atoms))
        edits = [e for f in findings for e in f.edits]
        if not edits:
            break
        text, _ = apply_edits(text, edits)
    return text


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - CONTEXT):end + CONTEXT].strip()


# -- KB501 ------------------------------------------------------------------------------------

def _punctuation(source: SourceFile, number: int, text: str, atoms: list[Atom]) -> list[Finding]:
    wrong: set[int] = set()

    def chinese(i: int) -> bool:  # a neighbour that is Chinese, or half-width punctuation that becomes full-width
        return 0 <= i < len(atoms) and (is_cjk(atoms[i].char) or i in wrong)

    partner: dict[int, int] = {}
    stack: list[int] = []
    for i, atom in enumerate(atoms):
        if atom.char == "(":
            stack.append(i)
        elif atom.char == ")" and stack:
            j = stack.pop()
            partner[i], partner[j] = j, i
    candidates = [i for i, atom in enumerate(atoms) if atom.char in FULL_WIDTH]
    changed = True
    while changed:  # "？；" after Chinese: the second mark is wrong because the first one is
        changed = False
        for i in candidates:
            if i in wrong:
                continue
            pair = [i, partner[i]] if i in partner else [i]
            if any(chinese(k - 1) or chinese(k + 1) for k in pair):
                wrong.update(pair)
                changed = True
    findings = []
    for i in sorted(wrong):
        atom = atoms[i]
        char = atom.char
        edits = [Edit(number, atom.pos, atom.pos + 1, FULL_WIDTH[char])]
        if char == "(":
            start = atom.pos
            while start > 0 and text[start - 1] == " ":
                start -= 1
            if start < atom.pos and start > 0:
                edits.append(Edit(number, start, atom.pos, ""))
        else:
            end = atom.pos + 1
            while end < len(text) and text[end] == " ":
                end += 1
            if end > atom.pos + 1 and end < len(text):
                edits.append(Edit(number, atom.pos + 1, end, ""))
        findings.append(Finding(
            source.display, number, "KB501",
            f"半角标点“{char}”应改为全角“{FULL_WIDTH[char]}”（“{_context(text, atom.pos, atom.pos + 1)}”）。",
            atom.pos, tuple(edits)))
    return findings


# -- KB503 ------------------------------------------------------------------------------------

def _spacing(source: SourceFile, number: int, text: str, atoms: list[Atom]) -> list[Finding]:
    findings = []
    for a, b in zip(atoms, atoms[1:]):
        if not ((is_han(a.char) and is_latin(b.char)) or (is_latin(a.char) and is_han(b.char))):
            continue
        at = _space_position(text, a.end, b.pos)
        findings.append(Finding(
            source.display, number, "KB503",
            f"中文与英文、数字之间应有一个空格（“{_context(text, a.end, b.pos)}”）。",
            b.pos, (Edit(number, at, at, " "),)))
    return findings


def _space_position(text: str, start: int, end: int) -> int:
    """Where the space goes in the markup between two adjacent visible characters: after what
    closes the first word (emphasis, `]`, a link target, a closing tag), before what opens the next."""
    destinations = {s: e for s, e in link_destinations(text)}
    pos = i = start
    while i < end:
        char = text[i]
        if char in "*_~":
            j = i
            while j < end and text[j] == char:
                j += 1
            if text[:i].count(text[i:j]) % 2 == 0:  # an even number before: this run opens
                break
            pos = i = j
        elif char == "]":
            i = destinations.get(i + 1, i + 1)
            pos = i
        elif comment := HTML_COMMENT.match(text, i):
            pos = i = min(comment.end(), end)
        elif closer := next((c for o, c in _CLOSED_MARKUP if text.startswith(o, i)), None):
            found = text.find(closer, i)
            pos = i = end if found == -1 else found + len(closer)
        else:
            break
    return min(pos, end)


# -- KB502 ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def radical_table() -> dict[str, str]:
    table = {}
    for raw in (DATA_DIR / "radicals.txt").read_text(encoding="utf-8").splitlines():
        parts = raw.split()
        if parts and not raw.startswith("#") and len(parts) >= 2:
            table[parts[0]] = parts[1]
    return table


def lookalike(char: str) -> tuple[str, str | None] | None:
    """(what kind of look-alike, the character to use instead or None) for a suspect character."""
    code = ord(char)
    if 0x2E80 <= code <= 0x2EFF:
        return "部首补充区的部首", radical_table().get(char)
    if 0x2F00 <= code <= 0x2FDF:
        return "康熙部首", _nfkc(char)
    if 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F:
        return ("兼容汉字", _nfkc(char)) if _nfkc(char) else None
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return "全角字母或数字", _nfkc(char)
    return None


def _nfkc(char: str) -> str | None:
    norm = unicodedata.normalize("NFKC", char)
    return norm if norm != char else None


def _lookalikes(source: SourceFile, number: int, text: str, atoms: list[Atom]) -> list[Finding]:
    """Only characters a reader sees: never in code, URLs, link targets, tags or attributes."""
    findings = []
    for atom in atoms:
        pos, char = atom.pos, atom.char
        if char == TOKEN or ord(char) < 0x2E80:
            continue
        found = lookalike(char)
        if found is None:
            continue
        kind, better = found
        where = _context(text, pos, pos + 1)
        if better:
            message = f"“{char}”是形近字符（{kind}，U+{ord(char):04X}），应改为“{better}”（“{where}”）。"
            edits = (Edit(number, pos, pos + 1, better),)
        else:
            message = f"“{char}”是形近字符（{kind}，U+{ord(char):04X}），请改为外形相同的常用汉字（“{where}”）。"
            edits = ()
        findings.append(Finding(source.display, number, "KB502", message, pos, edits))
    return findings


# -- front matter -----------------------------------------------------------------------------

def _shown_front_matter(source: SourceFile) -> list[tuple[int, int, int, bool]]:
    """(file line, start, end, prose) of each one-line front-matter text that the site shows;
    tags and the category are shown but are names, not sentences: checked for look-alikes only."""
    import yaml

    if not source.front_text:
        return []
    try:
        root = yaml.compose(source.front_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []  # KB101 reports it
    if not isinstance(root, yaml.MappingNode):
        return []
    nodes = []
    for key, value in root.value:
        name = getattr(key, "value", None)
        if name in SHOWN_KEYS or name in NAME_KEYS:
            items = value.value if isinstance(value, yaml.SequenceNode) else [value]
            nodes += [(node, name in SHOWN_KEYS) for node in items]
        elif name == "source" and isinstance(value, yaml.MappingNode):
            nodes += [(v, True) for k, v in value.value if getattr(k, "value", None) == "title"]
    spans = []
    for node, prose in nodes:
        if (isinstance(node, yaml.ScalarNode) and node.style in (None, "'", '"')
                and node.start_mark.line == node.end_mark.line):
            spans.append((node.start_mark.line + 2, node.start_mark.column, node.end_mark.column, prose))
    return spans
