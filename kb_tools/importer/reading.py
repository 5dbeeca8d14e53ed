"""Reading a raw article (plain text, Markdown or HTML) into a flat list of blocks.

HTML is parsed by Lexbor (selectolax), a WHATWG HTML5 parser, so a page is read as a browser would
read it: unclosed tags, stray end tags and entities are handled by the standard, not by guesses.
Elements that are never article text (scripts, styles, forms, navigation, side bars) are dropped
here and reported; everything else becomes a block for the later phases to judge."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools.errors import KbError

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MARKDOWN_SUFFIXES = (".md", ".markdown")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_EMPHASIS = re.compile(r"\*\*|__|`|^\s*>\s?")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")

# Never article text; the text they hold is reported, not imported.
_HTML_INVISIBLE = {"script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "canvas",
                   "select", "textarea", "input", "button", "img", "video", "audio"}
_HTML_CHROME = {"nav": "网页导航", "aside": "侧栏", "form": "网页表单（评论框等）"}
_HTML_PAGE_PARTS = {"header": "网页页眉", "footer": "网页页脚"}  # chrome unless inside the article itself
_HTML_BLOCKS = {"p", "div", "section", "article", "main", "li", "dt", "dd", "blockquote", "pre", "table", "tr", "td",
                "th", "ul", "ol", "dl", "figure", "figcaption", "hr", "br", "center", "address", "header", "footer"}
_HTML_HEADINGS = {f"h{n}": n for n in range(1, 7)}


class ArticleError(KbError):
    """The article cannot be read or split as asked."""


@dataclass(frozen=True)
class Block:
    text: str  # plain text, runs of spaces collapsed
    where: str  # "第 5 行" (text, Markdown) or "第 5 段" (HTML)
    heading: int = 0  # 1–6 for a heading
    markdown: str = ""  # how the block is written in a page body

    @property
    def body(self) -> str:
        return self.markdown or escape_markdown(self.text)


@dataclass
class Article:
    name: str  # the file name, for messages
    kind: str  # "text", "markdown" or "html"
    blocks: list[Block]
    title_hint: str | None = None  # <title> of an HTML page
    dropped: list[tuple[str, str, str]] = field(default_factory=list)  # (where, text, reason)


def escape_markdown(text: str) -> str:
    """Plain text that reads the same once rendered: Markdown and HTML characters are escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^([#+-]|\d+[.)])(\s)", r"\\\1\2", text)


def read_article(path: Path) -> Article:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ArticleError(f"无法读取文件 {path}：{err.strerror}。") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # many Chinese web pages and documents are still GBK
        except UnicodeDecodeError:
            raise ArticleError(f"{path.name} 既不是 UTF-8 也不是 GBK 编码的文本。请另存为 UTF-8 后再导入。") from None
    suffix = path.suffix.lower()
    head = text.lstrip()[:200].lower()
    if suffix in HTML_SUFFIXES or head.startswith(("<!doctype html", "<html")):
        return read_html(text, path.name)
    if suffix in MARKDOWN_SUFFIXES:
        return read_markdown(text, path.name)
    return read_text(text, path.name)


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def read_text(text: str, name: str) -> Article:
    blocks = [Block(clean(line), f"第 {number} 行") for number, line in enumerate(text.splitlines(), 1) if clean(line)]
    return Article(name, "text", blocks)


def read_markdown(text: str, name: str) -> Article:
    blocks: list[Block] = []
    fence: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if fence is not None:
            fence.append(line)
            if line.strip().startswith(("```", "~~~")):
                blocks.append(Block(clean(" ".join(fence[1:-1])), f"第 {start} 行", markdown="\n".join(fence)))
                fence = None
            continue
        if line.strip().startswith(("```", "~~~")):
            fence, start = [line], number
            continue
        if not clean(line):
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            blocks.append(Block(_md_plain(heading.group(2)), f"第 {number} 行",
                                heading=len(heading.group(1))))
        else:
            blocks.append(Block(_md_plain(line), f"第 {number} 行", markdown=line.rstrip()))
    if fence is not None:
        blocks.append(Block(clean(" ".join(fence[1:])), f"第 {start} 行", markdown="\n".join(fence + [fence[0].strip()[:3]])))
    return Article(name, "markdown", blocks)


def _md_plain(line: str) -> str:
    """What a Markdown line says, without its markup: for recognising chrome and questions."""
    return clean(_MD_LINK.sub(r"\1", _MD_EMPHASIS.sub("", line)))


def read_html(text: str, name: str) -> Article:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    title = tree.css_first("title")
    article = Article(name, "html", [], title_hint=clean(title.text()) if title is not None and title.text() else None)
    if tree.body is None:
        return article
    _HtmlWalker(article).walk(tree.body, inside_article=False)
    return article


class _HtmlWalker:
    def __init__(self, article: Article):
        self.article = article
        self.buffer: list[str] = []
        self.count = 0

    def where(self) -> str:
        self.count += 1
        return f"第 {self.count} 段"

    def flush(self) -> None:
        text = clean("".join(self.buffer))
        self.buffer = []
        if text:
            self.article.blocks.append(Block(text, self.where()))

    def walk(self, node, inside_article: bool) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.buffer.append(child.text(deep=False) or "")
                continue
            if tag in _HTML_INVISIBLE or tag.startswith("-"):
                continue
            reason = _HTML_CHROME.get(tag) or (None if inside_article else _HTML_PAGE_PARTS.get(tag))
            if reason:
                self.flush()
                text = clean(child.text(separator=" "))
                if text:
                    self.article.dropped.append((self.where(), text, reason))
                continue
            if tag in _HTML_HEADINGS:
                self.flush()
                text = clean(child.text(separator=""))
                if text:
                    self.article.blocks.append(Block(text, self.where(), heading=_HTML_HEADINGS[tag]))
                continue
            if tag in _HTML_BLOCKS:
                self.flush()
                self.walk(child, inside_article or tag in ("article", "main"))
                self.flush()
            else:
                self.walk(child, inside_article)
