"""KB311–KB315: what a page renders to passes the gate (kb_tools.gate) whole.

Judged on the rendered HTML, as the reader's browser will parse it, never on the Markdown lines:
a line-based reading cannot know what a comment, a CDATA section or an SVG `<style>` hides. The
line reported is the first body line that holds the offending text, so the editor can find it."""

from __future__ import annotations

import html as html_lib

from kb_tools import gate
from kb_tools.checks.rules import Finding
from kb_tools.checks.source import SourceFile

_ADVICE = {
    "KB311": "它会在读者的浏览器里运行脚本或嵌入其他网站。请删除；要展示代码，请放进代码块（```）。",
    "KB312": "它会在读者的浏览器里运行脚本。请删除这个属性。",
    "KB313": "它会在读者的浏览器里运行脚本。请改为 https:// 开头的网址，或本站页面的相对 .md 路径。",
    "KB314": "页面不能从其他网站加载图片、样式、音视频或脚本：在中国大陆常常很慢或打不开，也会让其他网站看到谁在读。"
             "请把图片放进 docs/assets/images/，用相对路径引用；指向其他网站的普通链接 [文字](https://…) 可以保留。",
    "KB315": "网站只接受 Markdown 生成的常用网页代码，这部分会被去掉。请改用 Markdown 的写法（见 CONTRIBUTING.md 的 KB315）。",
}


def rendered(source: SourceFile, html_text: str) -> list[Finding]:
    """Findings for everything the gate would take away from this page's HTML."""
    return findings(source, gate.check(html_text)[1])


def findings(source: SourceFile, drops: list[gate.Drop]) -> list[Finding]:
    return [Finding(source.display, line_of(source, drop.needle), drop.code,
                    f"生成的网页中有{drop.what}。{_ADVICE[drop.code]}") for drop in drops]


def line_of(source: SourceFile, needle: str) -> int:
    """The first body line holding `needle` (entities decoded, any case); else the first body line."""
    needle = needle.lower()
    for number, text in enumerate(source.text.splitlines(), 1):
        if number >= source.body_line and needle in html_lib.unescape(text).lower():
            return number
    return source.body_line
