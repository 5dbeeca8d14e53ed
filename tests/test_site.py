"""The built site: what a reader gets, read from the HTML and, with the browser mark, in chromium."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from kb_tools import site
from kb_tools.pages import load_library, resolve_link

from conftest import ROOT

DOCS = ROOT / "docs"
EDIT_URL = "https://github.com/wuye-kb/wuye-kb/edit/main/docs/"
JUNK = ["返回首页", "顶一下", "踩一下", "我要评论", "验证码", "weiqiangcn"]
QUESTION = "compensation/soaked-floor.md"
LAW = "law/civil-code-personal-information.md"
PRIVACY = "privacy/personal-information-collection.md"
NEEDS_REVIEW = "community/renovation.md"
ON_THE_CODE = "compensation/water-outage.md"  # curated from the source article and cited from the 民法典
# rel values whose href the browser fetches while loading the page.
LOADED_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon", "manifest", "prefetch"}


# -- reading built HTML ---------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag or '*'} class={cls!r}> in <{self.tag}>"
        return found[0]

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def text(self) -> str:
        """Text as shown, without heading permalink markers."""
        if "headerlink" in self.classes:
            return ""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_startendtag(self, tag, attrs):
        self.node.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.node))

    def handle_endtag(self, tag):
        node = self.node
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.node = node.parent

    def handle_data(self, data):
        self.node.children.append(data)


def parse(path: Path) -> Node:
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    return builder.root


def html_path(rel: str) -> str:
    """Built file of a docs/ page (use_directory_urls)."""
    if rel == "index.md" or rel.endswith("/index.md"):
        return rel[:-3] + ".html"
    return rel[:-3] + "/index.html"


def section(article: Node, heading_id: str) -> list[Node]:
    """Elements after <h2 id=heading_id>, up to the next h2."""
    elements = article.elements
    start = next((i for i, n in enumerate(elements) if n.tag == "h2" and n.attrs.get("id") == heading_id), None)
    assert start is not None, f"no <h2 id={heading_id!r}>"
    out = []
    for node in elements[start + 1:]:
        if node.tag == "h2":
            break
        out.append(node)
    return out


@pytest.fixture(scope="module")
def library():
    return load_library(DOCS)


@pytest.fixture(scope="module")
def page_html(built_site):
    cache: dict[str, Node] = {}

    def get(rel: str) -> Node:
        if rel not in cache:
            cache[rel] = parse(built_site / html_path(rel))
        return cache[rel]

    return get


def article_of(doc: Node) -> Node:
    return doc.find("article", "md-content__inner")


# -- the build ------------------------------------------------------------------------------------

def test_strict_build_writes_every_page(built_site, library):
    # built_site itself fails on a non-zero exit or any WARNING line.
    missing = [rel for rel in library.pages if not (built_site / html_path(rel)).is_file()]
    assert missing == []
    assert (built_site / "404.html").is_file()


def test_built_site_has_no_junk_from_the_source(built_site):
    files = [p for p in built_site.rglob("*") if p.suffix in (".html", ".json", ".xml")]
    assert len(files) > 20
    found = {(str(p.relative_to(built_site)), junk) for p in files for junk in JUNK
             if junk in p.read_text(encoding="utf-8")}
    assert found == set()


def _loaded_urls(doc: Node) -> list[str]:
    """URLs the browser fetches for a page: scripts, stylesheets, icons, images, media, frames."""
    urls = []
    for node in doc.iter():
        attrs = node.attrs
        if node.tag == "link" and LOADED_RELS & set(attrs.get("rel", "").lower().split()):
            urls.append(attrs.get("href", ""))
        elif node.tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and "src" in attrs:
            urls.append(attrs["src"])
        if "srcset" in attrs:
            urls += [part.split()[0] for part in attrs["srcset"].split(",") if part.strip()]
        if "style" in attrs:
            urls += _css_urls(attrs["style"])
        if node.tag == "style":
            urls += _css_urls(node.text())
    return urls


def _css_urls(css: str) -> list[str]:
    found = re.findall(r"""url\(\s*['"]?([^'")\s]+)""", css)
    found += re.findall(r"""@import\s+['"]([^'"]+)""", css)
    return [u for u in found if not u.startswith("data:")]


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and parts.scheme != "data") or url.startswith("//")


def test_pages_load_nothing_from_other_hosts(built_site):
    external = {}
    for path in sorted(built_site.rglob("*.html")):
        urls = _loaded_urls(parse(path))
        assert any(u.endswith("assets/stylesheets/kb.css") for u in urls), f"{path}: kb.css not found"
        assert any(re.search(r"assets/javascripts/bundle\.\w+\.min\.js$", u) for u in urls), path
        bad = [u for u in urls if _is_external(u)]
        if bad:
            external[str(path.relative_to(built_site))] = bad
    assert external == {}


def test_stylesheets_import_nothing_from_other_hosts(built_site):
    sheets = list(built_site.rglob("*.css"))
    assert {p.name for p in sheets} >= {"kb.css"}
    external = {str(p.relative_to(built_site)): [u for u in _css_urls(p.read_text(encoding="utf-8")) if _is_external(u)]
                for p in sheets}
    assert {k: v for k, v in external.items() if v} == {}


# -- anchors and links ----------------------------------------------------------------------------

def test_headings_get_chinese_anchors(page_html):
    assert page_html(QUESTION).find("h2").attrs["id"] == "简要回答"
    law_ids = {n.attrs["id"] for n in article_of(page_html(LAW)).find_all("h3") if "id" in n.attrs}
    assert {"第一百一十一条", "第一千零三十四条", "第一千零三十九条"} <= law_ids
    assert not [i for i in law_ids if re.fullmatch(r"_\d*", i)]


def resolve_href(rel: str, href: str) -> str:
    """Built file a same-site link on page rel points at."""
    path = unquote(urlsplit(href).path)
    if not path:
        return html_path(rel)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(html_path(rel)), path))
    return path if path.endswith(".html") else posixpath.join(path, "index.html")


def _link_targets(rel: str, doc: Node) -> list[tuple[str, str, str]]:
    """(href, target html path, fragment) of every same-site link with a fragment in a page's article."""
    out = []
    for a in article_of(doc).find_all("a"):
        href = a.attrs.get("href", "")
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.fragment or "headerlink" in a.classes:
            continue
        out.append((href, resolve_href(rel, href), unquote(parts.fragment)))
    return out


def test_privacy_page_links_to_existing_law_anchors(built_site, page_html):
    links = _link_targets(PRIVACY, page_html(PRIVACY))
    law_links = [(href, frag) for href, path, frag in links if path == html_path(LAW)]
    assert {"第一百一十一条", "第一千零三十四条"} <= {frag for _, frag in law_links}
    law_ids = {n.attrs["id"] for n in parse(built_site / html_path(LAW)).iter() if "id" in n.attrs}
    assert [href for href, frag in law_links if frag not in law_ids] == []


def test_every_anchor_link_on_the_site_resolves(built_site, library):
    ids: dict[str, set[str]] = {}
    broken = []
    for rel in library.pages:
        for href, path, fragment in _link_targets(rel, parse(built_site / html_path(rel))):
            if path not in ids:
                target = built_site / path
                ids[path] = {n.attrs["id"] for n in parse(target).iter() if "id" in n.attrs} if target.is_file() else set()
            if fragment not in ids[path]:
                broken.append(f"{rel}: {href}")
    assert broken == []


# -- what question pages show ---------------------------------------------------------------------

def test_question_page_shows_aliases_related_questions_and_provenance(page_html, library):
    page = library.pages[QUESTION]
    article = article_of(page_html(QUESTION))
    assert article.find("h1").text() == page.title

    aliases = [li.text().strip() for node in section(article, "其他问法") for li in node.find_all("li")]
    assert aliases == list(page.aliases)

    related = [(resolve_href(QUESTION, a.attrs["href"]), a.text())
               for node in section(article, "相关问题") for a in node.find_all("a")]
    expected = [library.pages[resolve_link(QUESTION, target)] for target in page.related]
    assert related == [(html_path(other.path), other.title) for other in expected]

    provenance = [p.text() for p in section(article, "来源与审核") if p.tag == "p"]
    assert site.LAW_UPDATE not in page.body  # no outdated law to point to
    assert provenance == [
        f"本页整理自 2023 年的文章《{page.source.title}》（{page.source.date.isoformat()}）"
        f"{site.section_label(page.source.sections)}。",
        f"最近审核：{page.reviewed.isoformat()}。",
    ]


def test_pages_on_the_civil_code_show_each_article_with_its_subject(page_html, library):
    from kb_tools.civil_code import load_articles, parse_numeral

    page = library.pages[ON_THE_CODE]
    seed, code = page.sources
    subjects = load_articles()
    cited = "、".join(f"{a}（{subjects[parse_numeral(a[1:-1])]}）" for a in code.articles)
    provenance = [p.text() for p in section(article_of(page_html(ON_THE_CODE)), "来源与审核") if p.tag == "p"]
    assert provenance == [
        f"本页整理自 2023 年的文章《{seed.title}》（{seed.date.isoformat()}）{site.section_label(seed.sections)}"
        "；文章里过时的法律依据，已在本页的“法律更新提示”中说明。",
        f"本页的法律依据：《{code.title}》{cited}。",
        f"最近审核：{page.reviewed.isoformat()}。",
    ]


def test_law_page_names_the_section_it_curates_and_its_articles(page_html, library):
    provenance = [p.text() for p in section(article_of(page_html(LAW)), "来源与审核") if p.tag == "p"]
    assert provenance[0] == ("本页整理自 2023 年的文章《怎样通过物业找到业主？》（2023-11-21）第七节"
                             "；文章里过时的法律依据，已在本页的“法律更新提示”中说明。")
    assert provenance[1].startswith("本页的法律依据：《中华人民共和国民法典》第一百一十一条（个人信息受法律保护）、")


def test_provenance_keeps_front_matter_text_inert():
    from kb_tools.pages import Source

    line = site.provenance(Source("<b>民法典</b>*", articles=("第一条",)))
    assert line == "本页的法律依据：《&lt;b&gt;民法典&lt;/b&gt;\\*》第一条。"


def test_every_question_page_has_provenance_date_and_no_edit_pencil(page_html, library):
    # The pencil leads owners to GitHub: only previews for editors show it (site.is_preview).
    dates = site.git_dates(ROOT, DOCS)
    problems = []
    for page in library.questions:
        doc = page_html(page.path)
        article = article_of(doc)
        headings = [h.attrs.get("id") for h in article.find_all("h2")]
        wanted = (["其他问法"] if page.aliases else []) + (["相关问题"] if page.related else []) + ["来源与审核"]
        if headings[-len(wanted):] != wanted:
            problems.append(f"{page.path}: generated sections {headings[-len(wanted):]} != {wanted}")
        updated = site.last_updated(page.path, DOCS, dates).isoformat()
        shown = " ".join(doc.find("aside", "md-source-file").text().split())
        if shown != updated:
            problems.append(f"{page.path}: last updated shows {shown!r}, expected {updated!r}")
        edit = [a.attrs.get("href") for a in doc.find_all("a") if a.attrs.get("href", "").startswith(EDIT_URL)]
        if edit:
            problems.append(f"{page.path}: edit links {edit}")
    assert len(library.questions) >= 10
    assert problems == []


def test_question_pages_show_their_tags_one_per_chip(page_html, library):
    shown = {p.path: [a.text().strip() for a in page_html(p.path).find("nav", "md-tags").find_all("a", "md-tag")]
             for p in library.questions}
    assert {path: sorted(tags) for path, tags in shown.items()} == {p.path: sorted(p.tags) for p in library.questions}
    assert [t for tags in shown.values() for t in tags if re.search(r"[\s,，、;；]", t)] == []


def _first_block(article: Node) -> Node:
    """The first element after the page title."""
    elements = article.elements
    h1 = next(i for i, n in enumerate(elements) if n.tag == "h1")
    return elements[h1 + 1]


def test_needs_review_page_opens_with_the_review_warning(built_site, page_html, library):
    page = library.pages[NEEDS_REVIEW]
    assert page.status == "needs-review"
    block = _first_block(article_of(page_html(NEEDS_REVIEW)))
    assert block.classes == ["admonition", "warning"]
    title, *body = [p for p in block.elements if p.tag == "p"]
    assert title.text() == "本页内容待审核"
    assert " ".join(p.text() for p in body) == site.REVIEW_NOTICE
    # Why the page is in review is for editors: front matter only, shown nowhere.
    assert page.review_note and page.review_note not in (built_site / html_path(NEEDS_REVIEW)).read_text(encoding="utf-8")


def test_only_needs_review_pages_carry_the_review_warning(page_html, library):
    flagged = {p.path for p in library.questions
               if "本页内容待审核" in [t.text() for t in article_of(page_html(p.path)).find_all("p", "admonition-title")]}
    assert flagged == {p.path for p in library.questions if p.status == "needs-review"}
    assert QUESTION not in flagged


# -- in the browser -------------------------------------------------------------------------------

PAGES = {"home": "", "question": "compensation/soaked-floor/"}


@pytest.mark.browser
@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_only_from_the_local_server(open_tab, size, name):
    tab = open_tab(size)
    tab.page.goto(PAGES[name], wait_until="networkidle")
    tab.screenshot(name)
    urls = tab.requests.urls
    # The recorder sees stylesheets, scripts and the search worker's fetches, not just the page.
    assert any(u.endswith("/assets/stylesheets/kb.css") for u in urls)
    assert any("/search/" in u for u in urls), urls
    assert tab.requests.foreign == []


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "compensation/", "compensation/soaked-floor/",
                                  "law/civil-code-personal-information/", "management/property-tender/"])
def test_phone_pages_do_not_scroll_sideways(phone_page, path):
    phone_page.page.goto(path)
    width = phone_page.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[1] == 375
    assert width[0] <= width[1]


@pytest.mark.browser
def test_phone_shows_the_question_title_first(phone_page, library):
    page = phone_page.page
    page.goto("compensation/soaked-floor/")
    title = page.locator("article h1")
    assert title.inner_text() == library.pages[QUESTION].title
    assert title.is_visible()
    box = title.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 812
    assert page.locator(".md-header__topic").first.inner_text() == "物业知识库"


@pytest.mark.browser
def test_phone_drawer_opens_and_leads_to_a_category(phone_page):
    page = phone_page.page
    page.goto("")
    category = page.locator(".md-sidebar--primary a.md-nav__link", has_text="损失与赔偿").first

    def on_screen() -> bool:
        box = category.bounding_box()
        return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375

    assert not on_screen()
    page.locator("label.md-header__button[for=__drawer]").click()
    page.wait_for_function("document.getElementById('__drawer').checked")
    page.wait_for_timeout(300)  # the drawer slides in
    assert on_screen()
    phone_page.screenshot("drawer")
    category.click()
    page.wait_for_url("**/compensation/")
    assert page.locator("article h1").inner_text() == "损失与赔偿"


@pytest.mark.browser
def test_palette_toggle_switches_to_dark(desktop_page):
    page = desktop_page.page
    page.goto("compensation/soaked-floor/")
    form = page.locator("header form[data-md-component=palette]")
    assert form.locator("input[name=__palette]").count() == 3
    schemes = []
    for _ in range(2):  # follow system (light here) -> light -> dark
        form.locator("label:not([hidden])").click()
        schemes.append(page.locator("body").get_attribute("data-md-color-scheme"))
    assert schemes == ["default", "slate"]
    desktop_page.screenshot("question-dark")
