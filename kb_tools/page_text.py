"""A page as readable terminal text (`kb show`): headings, numbered and bulleted lists, admonitions
as labelled blocks, and links as their titles with the URL they open. No Markdown, no HTML, no
control characters. The search index's plain text (kb_tools.markdown_text.blocks) is separate:
it has no use for URLs or labels."""

from __future__ import annotations

import re
from typing import Callable

from kb_tools.markdown_text import ADMONITION, ATTR_LIST, FENCE_MARK, HTML_COMMENT, TAG, printable

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_ADMONITION_TYPE = re.compile(r"^\s*(?:!!!|\?\?\?\+?)\s*([\w-]+)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)[^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`+|~~|==)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
LABELS = {"note": "注意", "info": "说明", "tip": "提示", "hint": "提示", "warning": "注意", "caution": "注意",
          "danger": "警告", "important": "重要", "example": "例子", "quote": "引用", "question": "问题"}


def inline(text: str, link: Callable[[str], str | None]) -> str:
    """One line of Markdown as text; a link reads `title（URL）` when `link` knows where it goes."""
    text = ATTR_LIST.sub("", text)
    text = _IMAGE.sub(r"\1", text)

    def one(match: re.Match) -> str:
        url = link(match.group(2))
        return f"{match.group(1)}（{url}）" if url and url != match.group(1) else match.group(1)

    text = _LINK.sub(one, text)
    text = TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return printable(text.replace("\\", "")).strip()


def lines(markdown: str, link: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """("heading" | "text" | "item" | "label", text) lines; text inside an admonition is indented."""
    out: list[tuple[str, str]] = []
    box_indent: int | None = None  # inside an admonition: the indentation of its body
    para: list[str] = []
    fence = None

    def flush():
        if para:
            out.append(("text", _indent(box_indent) + "".join(para)))
            para.clear()

    for raw in HTML_COMMENT.sub("", markdown).splitlines():
        stripped = raw.strip()
        if fence is not None:
            if FENCE_MARK.match(raw) and stripped.startswith(fence):
                fence = None
            else:
                out.append(("text", _indent(box_indent) + "    " + printable(raw.rstrip())))
            continue
        if match := FENCE_MARK.match(raw):
            flush()
            fence = match.group(1)
            continue
        if box_indent is not None and stripped and len(raw) - len(raw.lstrip()) < 4:
            flush()
            box_indent = None
        if not stripped or _TABLE_RULE.match(raw):
            flush()
            continue
        if match := _HEADING.match(raw):
            flush()
            out.append(("heading", inline(match.group(2), link)))
            continue
        if match := ADMONITION.match(raw):
            flush()
            kind = _ADMONITION_TYPE.match(raw).group(1)
            title = inline(match.group(1), link) if match.group(1) else LABELS.get(kind, "说明")
            out.append(("label", f"【{title}】"))
            box_indent = 4
            continue
        if match := _ITEM.match(raw):
            flush()
            marker = "-" if match.group(2) in "-*+" else match.group(2)
            depth = len(match.group(1).expandtabs(4)) // 4 - (1 if box_indent is not None else 0)
            out.append(("item", _indent(box_indent) + "  " * max(0, depth) + f"{marker} {inline(match.group(3), link)}"))
            continue
        para.append(inline(raw.replace("|", " "), link))
    flush()
    return out


def _indent(box_indent: int | None) -> str:
    return "  " if box_indent is not None else ""
