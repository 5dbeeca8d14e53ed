"""The built site as a reader's browser meets it: every internal link and anchor resolves, nothing
comes from other hosts, and no page content or front matter can run a script."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_tools.project import Project

from browser import MKDOCS
from conftest import ROOT, write_pages
from test_fuzz import question_page, render_with_hooks

MATERIAL_SHARE = "javascript:void(0)"
SITE_PATH = urlsplit(Project(ROOT).site_url).path  # /wuye-kb/: the 404 page links from the site root


# -- crawling the served site -------------------------------------------------------------------

class _Links(HTMLParser):
    """ids on a page, and every URL it links to or loads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and "canonical" in (attrs.get("rel") or "")):
                self.links.append((tag, attrs[key]))


class Crawler:
    def __init__(self, base: str):
        self.base = base
        self.pages: dict[str, _Links | None] = {}  # url without fragment -> parsed HTML (None: not HTML)
        self.status: dict[str, int] = {}

    def fetch(self, url: str) -> _Links | None:
        if url not in self.status:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    self.status[url] = response.status
                    body = response.read()
                    kind = response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as err:
                self.status[url] = err.code
                body, kind = b"", ""
            parsed = None
            if "html" in kind:
                parsed = _Links()
                parsed.feed(body.decode("utf-8"))
            self.pages[url] = parsed
        return self.pages[url]

    def local(self, page_url: str, href: str) -> str | None:
        """The absolute local URL a link points at, or None for other hosts, mail and phone links."""
        parts = urlsplit(href)
        if parts.scheme in ("mailto", "tel", "data", "blob", "about"):
            return None
        if href.startswith(SITE_PATH):
            href = href[len(SITE_PATH):] or "./"
            page_url = self.base
        url = urljoin(page_url, href)
        return url if url.startswith(self.base) else None


def site_urls(built_site: Path, base: str) -> list[str]:
    urls = []
    for path in sorted(built_site.rglob("*.html")):
        rel = path.relative_to(built_site).as_posix()
        urls.append(base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    return urls


def test_every_internal_link_and_anchor_on_the_served_site_resolves(built_site, site_server):
    crawler = Crawler(site_server)
    broken, external, checked = [], set(), 0
    for page_url in site_urls(built_site, site_server):
        page = crawler.fetch(page_url)
        assert crawler.status[page_url] == 200 and page is not None, page_url
        for tag, href in page.links:
            target = crawler.local(page_url, href)
            if target is None:
                external.add(href)
                continue
            checked += 1
            address, _, fragment = target.partition("#")
            linked = crawler.fetch(address)
            if crawler.status[address] != 200:
                broken.append(f"{page_url}: <{tag}> {href} -> HTTP {crawler.status[address]}")
            elif fragment and tag == "a" and linked is not None and unquote(fragment) not in linked.ids:
                broken.append(f"{page_url}: {href} -> no id {unquote(fragment)!r}")
    assert broken == []
    assert checked > 1000  # every page's navigation, assets and article links, not a handful
    # What leaves the site is followed by the reader, never loaded: the edit links and the
    # sources the pages cite. The loaded side is checked in test_site.py and the browser test below.
    # Material's search share button is the one `javascript:` link (theme.features: search.share).
    assert {u for u in external if urlsplit(u).scheme not in ("https", "http")} == {MATERIAL_SHARE}


def test_anchor_check_catches_a_missing_id(site_server, built_site):
    """The crawler above is not blind: a link to a heading that does not exist is reported."""
    crawler = Crawler(site_server)
    page = crawler.fetch(site_server + "compensation/soaked-floor/")
    assert "简要回答" in page.ids and "没有这一节" not in page.ids
    assert crawler.local(site_server + "compensation/", "../law/#x") == site_server + "law/#x"
    assert crawler.local(site_server, SITE_PATH + "assets/x.css") == site_server + "assets/x.css"
    assert crawler.local(site_server, "https://github.com/x") is None
    crawler.fetch(site_server + "no-such-page/")
    assert crawler.status[site_server + "no-such-page/"] == 404


@pytest.mark.browser
def test_no_page_of_the_site_makes_a_third_party_request(open_tab, built_site, site_server):
    """Every page, loaded in chromium, with scripts, fonts, workers and fetches recorded."""
    tab = open_tab("desktop")
    urls = site_urls(built_site, site_server)
    for url in urls:
        tab.page.goto(url, wait_until="networkidle")
    assert len(urls) >= 15
    assert len({u for u in tab.requests.urls if u.startswith(site_server)}) > len(urls)
    assert tab.requests.foreign == []


# -- scripts in page content ----------------------------------------------------------------------

REFUSED = "页面中有网站不允许的内容（会运行脚本、加载其他网站或被去掉），网站没有生成："
BODY_LINE = 11  # first body line of question_page()

# body -> (line offset from the first body line, rule, what the message names). Each one is judged
# on the rendered HTML as html5ever (a browser's parser) reads it, whatever the Markdown lines say.
INJECTIONS = {
    "raw <script>": ("<script>alert(1)</script>", 0, "KB311", "标签 `<script>`"),
    "<iframe>": ('正文\n\n<iframe src="https://evil.example/"></iframe>', 2, "KB311", "标签 `<iframe>`"),
    "inline onclick=": ('<b onclick="alert(1)">点我</b>', 0, "KB312", "事件属性 `onclick=`（在 `<b>` 上）"),
    "onerror= on an image": ("![图](x.png){: onerror=alert(1) }", 0, "KB312", "事件属性 `onerror=`（在 `<img>` 上）"),
    "javascript: link": ("[详情](javascript:alert(1))", 0, "KB313", "`javascript:` 链接（在 `<a>` 上）"),
    "javascript: href with entities": ('<a href="&#106;ava&#x09;script:alert(1)">详情</a>', 0, "KB313",
                                       "`javascript:` 链接（在 `<a>` 上）"),
    "handler on the next line of a tag": ("<img src=x\nonerror=alert(1)>", 1, "KB312", "事件属性 `onerror=`（在 `<img>` 上）"),
    "javascript: split over two lines": ('<a href="java\nscript:alert(1)">详情</a>', 0, "KB313",
                                         "`javascript:` 链接（在 `<a>` 上）"),
    "script after an unclosed fence": ("```\n<script>alert(1)</script>", 1, "KB311", "标签 `<script>`"),
    "script after an unclosed comment": ("说明 <!-- 没有结束\n\n<script>alert(1)</script>", 2, "KB311", "标签 `<script>`"),
    # Parsed differently by Python's html.parser and by browsers (found by review, issue 12)
    "<!--> ends a comment": ('<!--><img alt=">" src=x onerror=alert(1)>-->', 0, "KB312", "事件属性 `onerror=`（在 `<img>` 上）"),
    "CDATA is a bogus comment in HTML": ('<![CDATA[><img src=x onerror=alert(1)>]]>', 0, "KB312",
                                         "事件属性 `onerror=`（在 `<img>` 上）"),
    "</style/> closes a style": ('<style>p{}</style/><img alt=">" src=x onerror=alert(1)>', 0, "KB315", "标签 `<style>`"),
    "<img> breaks out of SVG <style>": ('<svg><style><img alt=">" src=x onerror=alert(1)>', 0, "KB315", "标签 `<svg>`"),
    "noscript with a closing tag in an attribute": ("<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
                                                    0, "KB315", "标签 `<noscript>`"),
    "xmp with a closing tag in an attribute": ("<xmp><p title='</xmp><img src=x onerror=alert(1)>'>", 0, "KB315", "标签 `<xmp>`"),
    "textarea with a closing tag in an attribute": ("<textarea><p title='</textarea><img src=x onerror=alert(1)>'>", 0,
                                                    "KB315", "标签 `<textarea>`"),
    "noembed with a closing tag in an attribute": ("<noembed><p title='</noembed><img src=x onerror=alert(1)>'>", 0,
                                                   "KB315", "标签 `<noembed>`"),
    "SVG animate sets a javascript: href": (
        '<svg><a><animate attributeName="href" values="java&#10;script:alert(1)"/><text y="20">点</text></a></svg>',
        0, "KB315", "标签 `<svg>`"),
    # Loads from other sites
    "Markdown image from another site": ("![图](https://evil.example/x.png)", 0, "KB314",
                                         "从其他网站加载的 `src`（https://evil.example/x.png）"),
    "<img src> from another site": ('<img src="//evil.example/x.png">', 0, "KB314", "从其他网站加载的 `src`（//evil.example/x.png）"),
    "<style>@import": ("<style>@import url(https://evil.example/x.css);</style>", 0, "KB315", "标签 `<style>`"),
    "inline style with url()": ('<p style="background:url(https://evil.example/x.png)">字</p>', 0, "KB314",
                                "`style` 属性里加载其他内容的 `url(…)`（在 `<p>` 上）"),
    "<video poster>": ('<video poster="https://evil.example/x.png"></video>', 0, "KB314",
                       "加载其他网站内容的 `<video>`（https://evil.example/x.png）"),
    "<svg><image href>": ('<svg><image href="https://evil.example/x.png"/></svg>', 0, "KB315", "标签 `<svg>`"),
    "mermaid makes the theme fetch a CDN script": ('<pre class="mermaid">graph TD; A-->B</pre>', 0, "KB314",
                                                   "class `mermaid`（网站主题会为它从其他网站下载脚本）"),
    # Whatever else is not on the allow-list
    "an id that shadows the theme's config": ('<p id="__config">字</p>', 0, "KB315", "以“__”开头的 id `__config`（会与网站主题的元素冲突）"),
    "data- attributes drive the theme": ('<p data-md-component="search">字</p>', 0, "KB315", "属性 `data-md-component=`（在 `<p>` 上）"),
    "a <form>": ('<form action="https://evil.example/"><input name=q></form>', 0, "KB311", "标签 `<form>`"),
}


def expected_line(name: str, display: str = "docs/repairs/fuzz.md") -> re.Pattern:
    body, offset, code, what = INJECTIONS[name]
    return re.compile(re.escape(f"{display}:{BODY_LINE + offset}: {code}: 生成的网页中有{what}。") + r"\S.*")


@pytest.fixture(scope="module")
def hook_config(tmp_path_factory):
    from mkdocs.config import load_config

    from conftest import MKDOCS_YML, TINY_PAGES

    root = tmp_path_factory.mktemp("safety") / "kb"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(hooks=ROOT / "kb_tools" / "mkdocs_hooks.py"), encoding="utf-8")
    write_pages(root / "docs", TINY_PAGES)
    return root, load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))


@pytest.mark.parametrize("name", list(INJECTIONS))
def test_script_in_page_content_stops_the_build_naming_file_and_line(hook_config, name):
    from mkdocs.exceptions import PluginError

    root, config = hook_config
    (root / "docs" / "repairs" / "fuzz.md").write_text(question_page(INJECTIONS[name][0] + "\n"), encoding="utf-8")
    with pytest.raises(PluginError) as caught:
        render_with_hooks(config, "repairs/fuzz.md")
    heading, *lines = str(caught.value).splitlines()
    assert heading == REFUSED
    assert any(expected_line(name).fullmatch(line) for line in lines), lines


def test_code_that_shows_a_script_is_not_refused(hook_config):
    root, config = hook_config
    body = "示例：`<script>` 和 `onclick=` 只是文字。\n\n```html\n<script>alert(1)</script>\n```\n"
    (root / "docs" / "repairs" / "fuzz.md").write_text(question_page(body), encoding="utf-8")
    html = render_with_hooks(config, "repairs/fuzz.md")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html


ACTIVE_TAGS = ("script", "iframe", "frame", "object", "embed", "applet", "base", "meta", "link", "form")


class _Active(HTMLParser):
    """Independent of the hook's own check: what in rendered HTML would run or load something."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.scripts: list[str] = []  # text and src of each <script>
        self.values: list[str] = []  # every attribute value

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "")
        self.values += [value for _, value in attrs if value]
        for name, value in attrs:
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or url.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"{name}={value}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.lasttag == "script" and self.scripts:
            self.scripts[-1] += data


SNIPPETS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">点</a>',
            "[点](javascript:alert(1))", '<b onclick="alert(1)">粗</b>', '文字{: onclick="alert(1)" }',
            '<iframe src="https://x.example"></iframe>', "<svg onload=alert(1)>", '<a href="JaVaScRiPt:alert(1)">点</a>',
            '<a href="&#x6A;avascript:alert(1)">点</a>', "[点][r]\n\n[r]: javascript:alert(1)", "<img src=x\nonerror=alert(1)>"]
CONTEXT = ["", "- ", "1. ", "> ", "# ", "| ", "    ", "\t", "!!! note\n    ", "`", "``", "*", "_", "[", "](", ")", "\n",
           "\n\n", "```\n", "~~~\n", "<!--", "-->", "<div markdown>\n", "</div>\n", "<p>", "</p>", "\\", "&", "停水"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(CONTEXT) | st.sampled_from(SNIPPETS), max_size=12))
def test_no_page_content_reaches_the_reader_as_a_script(hook_config, parts):
    """Script constructs in any Markdown context: the build refuses the page, or the HTML is inert."""
    from mkdocs.exceptions import PluginError

    root, config = hook_config
    (root / "docs" / "repairs" / "fuzz.md").write_text(question_page("".join(parts) + "\n"), encoding="utf-8")
    try:
        html = render_with_hooks(config, "repairs/fuzz.md")
    except PluginError as err:
        assert str(err).startswith(REFUSED + "\n")
        return
    finder = _Active()
    finder.feed(html)
    assert finder.found == []


# -- the real build -------------------------------------------------------------------------------

def mkdocs_build(project: Project, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(MKDOCS), "build", "--site-dir", str(site)], cwd=project.root, capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))


def test_mkdocs_build_fails_on_a_script_with_file_and_line(tiny_project, tmp_path):
    docs = tiny_project.docs_dir
    page = docs / "repairs" / "water-outage.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines.insert(15, '点击<a href="#" onclick="alert(1)">这里</a>查看。')
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = mkdocs_build(tiny_project, tmp_path / "site")
    assert proc.returncode == 1
    log = proc.stdout + proc.stderr
    assert REFUSED in log
    assert re.search(r"^docs/repairs/water-outage\.md:16: KB312: .*`onclick=`", log, re.M), log
    assert not (tmp_path / "site" / "repairs" / "water-outage" / "index.html").exists()


def test_front_matter_the_theme_prints_as_html_is_refused(tiny_project, tmp_path):
    # The loader refuses it, so `kb check` (KB101), the index and the build all stop on it.
    page = tiny_project.docs_dir / "repairs" / "water-outage.md"
    text = page.read_text(encoding="utf-8")
    text = text.replace("title: 停水造成损失，物业要赔偿吗？", "title: '停水<img src=x onerror=alert(1)>'")
    page.write_text(text, encoding="utf-8")
    proc = mkdocs_build(tiny_project, tmp_path / "site")
    assert proc.returncode == 1
    assert ("页面校验失败：repairs/water-outage.md:2: 字段 `title` 中的 `<` 会被网站当作网页代码，"
            "可能在读者的浏览器里运行脚本。请删除，或改用全角的“＜”。") in proc.stdout + proc.stderr


def test_malicious_aliases_notes_and_sources_are_shown_as_text(tiny_project, tmp_path):
    docs = tiny_project.docs_dir
    page = docs / "repairs" / "water-outage.md"
    text = page.read_text(encoding="utf-8")
    text = text.replace("aliases: [自来水突然没了怎么办]",
                        "aliases: ['<script>alert(1)</script>', '[点我](javascript:alert(2))', '<b onclick=alert(3)>粗</b>']")
    text = text.replace("source: {title: 测试来源,", "source: {title: '来源<img src=x onerror=alert(4)>',")
    page.write_text(text, encoding="utf-8")
    floor = docs / "repairs" / "soaked-floor.md"
    floor.write_text(floor.read_text(encoding="utf-8").replace(
        "review_note: 责任划分需要编辑补充。", "review_note: '<iframe src=\"https://evil.example\"></iframe>'"),
        encoding="utf-8")
    site = tmp_path / "site"
    proc = mkdocs_build(tiny_project, site)
    assert proc.returncode == 0, proc.stderr
    water = (site / "repairs" / "water-outage" / "index.html").read_text(encoding="utf-8")
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>" in water
    assert "<li>[点我](javascript:alert(2))</li>" in water  # text, not a link
    assert "<li>&lt;b onclick=alert(3)&gt;粗&lt;/b&gt;</li>" in water
    assert "《来源&lt;img src=x onerror=alert(4)&gt;》" in water
    floor_html = (site / "repairs" / "soaked-floor" / "index.html").read_text(encoding="utf-8")
    assert "evil.example" not in floor_html  # a review note is for editors: not shown at all
    for path in site.rglob("*.html"):
        finder = _Active()
        finder.feed(path.read_text(encoding="utf-8"))
        # Material's own scripts, forms and links remain; none carries what the pages said.
        assert finder.scripts and [s for s in finder.scripts if "alert(" in s] == [], path
        assert [v for v in finder.values if "alert(" in v or "evil.example" in v] == [], path


def test_kb_check_stops_every_injection_the_build_stops_with_file_line_and_rule(site):
    """The same attacks, each on a page of its own in a copy of the repository, in one `kb check`."""
    import datetime as dt

    from kb_tools import redirects
    from kb_tools.checks import run_checks

    names = list(INJECTIONS)
    for i, name in enumerate(names):
        front = (f"---\ntitle: 注入测试页面之{chr(0x4e00 + i)}\ncategory: 损失与赔偿\ntags: [测试]\naliases: [注入测试问法之{chr(0x4e00 + i)}]\n"
                 "reviewed: 2026-11-26\nstatus: needs-review\n---\n\n")
        (site.docs_dir / "compensation" / f"attack-{i}.md").write_text(front + INJECTIONS[name][0] + "\n", encoding="utf-8")
    redirects.update_manifest(site)  # not new pages: no similarity search
    found = [str(f) for f in run_checks(site, today=dt.date(2026, 11, 26)).findings]
    for i, name in enumerate(names):
        _, offset, code, what = INJECTIONS[name]
        expected = f"docs/compensation/attack-{i}.md:{10 + offset}: {code}: 生成的网页中有{what}。"
        assert any(f.startswith(expected) for f in found), (name, [f for f in found if f"attack-{i}.md" in f])
