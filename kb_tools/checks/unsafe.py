"""KB311–KB313: nothing on a page may run scripts in a reader's browser or pull in other sites.

Python-Markdown passes raw HTML through, and attr_list (`{: onclick=…}`) sets any attribute, so
both are checked. Inline code and code blocks are shown as text and are left alone."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from kb_tools.checks.rules import Finding
from kb_tools.checks.source import SourceFile, code_spans, outside

EMBEDDING_TAGS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link",
                  "form")
_EMBED = re.compile(rf"<\s*({'|'.join(EMBEDDING_TAGS)})\b", re.I)
_TAG = re.compile(r"<[A-Za-z][^<>]*>?")
_ATTR_LIST = re.compile(r"\{[^{}]*\}")
_HANDLER = re.compile(r"(?<![\w-])(on[a-z]+)\s*=", re.I)
_SCRIPT_URL = re.compile(r"(javascript|vbscript|data\s*:\s*text/html)", re.I)


def check(source: SourceFile) -> list[Finding]:
    findings = []
    for line in source.body_lines():
        text, number = line.text, line.number
        code = code_spans(text)
        for match in _EMBED.finditer(text):
            if outside(code, match.start()):
                tag = match.group(1).lower()
                findings.append(Finding(source.display, number, "KB311",
                                        f"不能在页面中使用 `<{tag}>` 标签：它会在读者的浏览器里运行脚本或加载其他网站的内容。"
                                        "请删除；要展示代码，请放进代码块。", match.start()))
        for container in (*_TAG.finditer(text), *_ATTR_LIST.finditer(text)):
            if not outside(code, container.start()):
                continue
            for match in _HANDLER.finditer(container.group()):
                findings.append(Finding(source.display, number, "KB312",
                                        f"不能使用事件属性 `{match.group(1)}=`：它会在读者的浏览器里运行脚本。请删除这个属性。",
                                        container.start() + match.start()))
        plain = _without_code(text, code)
        decoded = re.sub(r"\s+", "", html.unescape(plain))
        for match in _SCRIPT_URL.finditer(decoded):
            scheme = match.group(1).lower()
            if scheme.startswith("data") or decoded[match.end():match.end() + 1] == ":":
                name = "data:text/html" if scheme.startswith("data") else f"{scheme}:"
                findings.append(Finding(source.display, number, "KB313",
                                        f"不能使用 `{name}` 链接：它会在读者的浏览器里运行脚本。"
                                        "请改为正常的网址，或指向本站页面的相对 .md 路径。"))
    return findings


def _without_code(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text


class _ActiveHtml(HTMLParser):
    """Elements, event handlers and script URLs in rendered HTML: (code, what, text to find in the source)."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
    SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in EMBEDDING_TAGS:
            self.found.append(("KB311", f"标签 `<{tag}>`", f"<{tag}"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(("KB312", f"事件属性 `{name}=`", name))
            elif name in self.URL_ATTRIBUTES and value:
                # Browsers drop tabs and newlines anywhere in a URL and spaces around it.
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = next((s for s in self.SCRIPT_SCHEMES if url.startswith(s)), None)
                if scheme:
                    self.found.append(("KB313", f"链接 `{scheme}`", scheme.split(":")[0][:4]))

    handle_startendtag = handle_starttag


def rendered(source: SourceFile, html_text: str) -> list[Finding]:
    """The same rules on the HTML the page renders to. A line-based reading and Python-Markdown
    can disagree: an unclosed ``` fence or `<!--` is plain text to Markdown but hides the lines
    after it from check(), and a tag or a URL can span lines. The line is the first source line
    (from the body on) holding the offending text."""
    finder = _ActiveHtml()
    finder.feed(html_text)
    finder.close()
    findings = []
    lines = source.text.splitlines()
    for code, what, needle in finder.found:
        number = next((n for n, text in enumerate(lines, 1)
                       if n >= source.body_line and needle in html.unescape(text).lower()), source.body_line)
        findings.append(Finding(source.display, number, code,
                                f"生成的网页中有{what}，它会在读者的浏览器里运行脚本。请删除；"
                                "要展示代码，请放进代码块，并检查 ``` 和 <!-- --> 是否成对。"))
    return findings
