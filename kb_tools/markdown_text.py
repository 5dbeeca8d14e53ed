"""Readable plain text out of a page's Markdown, for indexing and snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The Markdown patterns of the project, shared by the index (below) and `kb check` (checks.source):
# a fence at any depth (in `>` quotes, list items, admonitions) …
FENCE_MARK = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+)?(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# An admonition's opening line (`!!! note inline end "标题"`); group 1 is its title.
ADMONITION_MARKER = re.compile(r"^\s*(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+[\w-]+)*")
ADMONITION = re.compile(ADMONITION_MARKER.pattern + r'\s*(?:"([^"]*)")?\s*$')
# attr_list's `{#id}`, `{ .class }`, `{: key=value }`: never text the reader sees.
ATTR_LIST = re.compile(r"\{:?\s*[#.][^{}\n]*\}|\{:\s*[^{}\n]*\}|\{:?\s*[A-Za-z-]+=[^{}\n]*\}")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]")
# … a comment as HTML5 ends it (`<!-->` and `<!--->` are whole, empty comments; one never closed
# runs to the end) …
HTML_COMMENT = re.compile(r"<!--(?:-?>|.*?(?:--!?>|$))", re.S)
# … and a tag.
TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`+|~~|==)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


# Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides: in `kb show`
# and `kb search` they would reach the terminal as commands, on the site reorder what is shown.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    return CONTROL.sub("", text)


@dataclass(frozen=True)
class Block:
    heading: str | None  # the nearest heading above, None before the first one
    text: str
    item: bool = False  # a list item


def _inline(line: str) -> str:
    line = ATTR_LIST.sub("", line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(lambda m: m.group(1) or m.group(2), line)
    line = TAG.sub("", line)
    line = _EMPHASIS.sub("", line)
    return printable(line.replace("\\", "")).strip()


def blocks(markdown: str) -> list[Block]:
    """Paragraph-sized blocks of plain text, each with its heading."""
    markdown = HTML_COMMENT.sub("", markdown)
    out: list[Block] = []
    heading: str | None = None
    para: list[str] = []

    item = False

    def flush():
        if para:
            out.append(Block(heading, "".join(para) if _all_cjk_join(para) else " ".join(para), item))
            para.clear()

    for raw in markdown.splitlines():
        if FENCE_MARK.match(raw) or _TABLE_RULE.match(raw):
            continue
        match = _HEADING.match(raw)
        if match:
            flush()
            heading = _inline(match.group(2))
            continue
        match = ADMONITION.match(raw)
        if match:
            flush()
            if match.group(1):
                out.append(Block(heading, _inline(match.group(1))))
            continue
        line = _LIST.sub("", raw).replace("|", " ")
        text = _inline(line)
        if not text:
            flush()
            continue
        if _LIST.match(raw):
            flush()
            item = True
        elif not para:
            item = False
        para.append(text)
    flush()
    return out


def _all_cjk_join(parts: list[str]) -> bool:
    # Chinese lines wrapped in the source join without a space.
    return all(p and ord(p[-1]) > 0x2E80 for p in parts[:-1])


def headings(markdown: str) -> list[str]:
    return [_inline(m.group(2)) for m in map(_HEADING.match, markdown.splitlines()) if m]


def readable(markdown: str) -> list[tuple[str, str]]:
    """The page as a terminal shows it: ("heading" | "item" | "text", text) lines, no markup."""
    lines: list[tuple[str, str]] = []
    heading: str | None = None
    for block in blocks(markdown):
        if block.heading != heading and block.heading:
            lines.append(("heading", block.heading))
        heading = block.heading
        lines.append(("item" if block.item else "text", block.text))
    return lines


def plain_text(markdown: str) -> str:
    return "\n".join(b.text for b in blocks(markdown))
