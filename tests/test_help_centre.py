"""The site as owners use it from a chat link: the home search box, a next step when nothing
answers (the contact configured in mkdocs.yml), the 404 page, share tags, pinyin tag order and
nothing downloaded that a page does not use. Browser tests run at 375 and 1280 px."""

from __future__ import annotations

import json
import re
import shutil
from fnmatch import fnmatch
from pathlib import Path

import pytest

from kb_tools import contact, site
from kb_tools.collation import pinyin_key
from kb_tools.pages import load_library

from conftest import ROOT, copy_site

CONTACT = """
  contact:
    name: 阳光花园物业服务中心
    phone: 010-6000 1234
    hours: 每天 8:00–20:00
    wechat: 阳光花园物业
"""
QUESTION = "compensation/soaked-floor/"
MOUNT = "/wuye-kb/"  # site_url's path: the 404 page's links are absolute
# A question no page answers (walking dogs off the lead): the worker's verdict, shown by
# kb-help.js, is what brings the contact block.
NO_ANSWER_QUESTION = "小区里遛狗不拴绳找物业有用不"


@pytest.fixture(scope="module")
def contact_site(tmp_path_factory) -> Path:
    """The real site, with a contact configured as a deployment would, built strict."""
    from browser import build_site

    tmp = tmp_path_factory.mktemp("contact")
    project = copy_site(tmp, published=False)
    config = project.config_path.read_text(encoding="utf-8").replace("extra:\n", "extra:" + CONTACT, 1)
    project.config_path.write_text(config, encoding="utf-8")
    out = tmp / "site"
    build_site(out, project.root)
    return out


@pytest.fixture(scope="module")
def contact_base(contact_site):
    from browser import serve

    with serve(contact_site, mount=MOUNT) as base:
        yield base


@pytest.fixture
def tab(browser, contact_base, request):
    from browser import open_tab

    opened = open_tab(browser, contact_base, request.param)
    yield opened
    assert opened.requests.foreign == []
    opened.close()


SIZES = pytest.mark.parametrize("tab", ["phone", "desktop"], indirect=True)


# -- built HTML ------------------------------------------------------------------------------------

def _meta(html: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="{prop}" content="([^"]*)">', html)
    return match and match.group(1)


def test_every_page_has_share_tags_with_its_title_description_and_url(built_site):
    library = load_library(ROOT / "docs")
    problems = []
    for page in library.pages.values():
        rel = page.path[:-3]
        rel = rel[:-5] if rel.endswith("index") else rel + "/"
        html = (built_site / rel / "index.html").read_text(encoding="utf-8")
        title = "物业知识库" if page.path == "index.md" else page.title
        expected = {"og:title": title, "og:description": page.description,
                    "og:url": "https://wuye-kb.github.io/wuye-kb/" + rel}
        for prop, value in expected.items():
            if _meta(html, prop) != value:
                problems.append(f"{page.path}: {prop} = {_meta(html, prop)!r}, expected {value!r}")
    assert problems == []
    missing = (built_site / "404.html").read_text(encoding="utf-8")
    assert _meta(missing, "og:title") == "找不到页面 - 物业知识库" and _meta(missing, "og:description")
    assert _meta(missing, "og:url") is None  # it answers for any address


def test_titles_and_navigation_do_not_repeat_the_site_name(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>\s*物业知识库\s*</title>", home)
    first = re.search(r'<a href="[^"]*" class="md-nav__link[^"]*">\s*<span class="md-ellipsis">\s*(\S+)', home)
    assert first.group(1) == site.HOME_LABEL == "首页"


def test_tag_index_is_in_pinyin_order(built_site):
    html = (built_site / "tags" / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r'<h2 id="tag:([^"]+)"', html)
    assert len(tags) > 20
    assert tags == sorted(tags, key=pinyin_key)
    assert tags.index("报警") < tags.index("停水") < tags.index("招标") or "招标" not in tags


def test_material_search_index_is_emptied(built_site):
    """Material's bundle still asks for it; only the highlighter's settings are left in it."""
    path = built_site / "search" / "search_index.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["docs"] == [] and "separator" in data["config"]
    assert path.stat().st_size < 1000


def test_scripts_and_search_data_give_way_to_the_styles_the_first_paint_needs(built_site):
    """On a slow phone connection the page is painted once its styles arrive; every script and the
    search data are asked for at low priority, so they do not share the line with the styles. If
    Material renamed its script tag, the template's replace would silently stop applying."""
    html = (built_site / QUESTION / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", html)
    assert len(scripts) >= 2 and any("/bundle." in tag for tag in scripts)
    assert all('fetchpriority="low"' in tag for tag in scripts), scripts
    preload = re.findall(r'<link rel="preload"[^>]*>', html)
    assert len(preload) == 1 and "search/kb-index.json" in preload[0] and 'fetchpriority="low"' in preload[0]
    # After the scripts: the bundle comes ahead of the search data in the queue.
    assert html.index(preload[0]) > max(html.index(tag) for tag in scripts)


def test_question_pages_end_with_the_help_block_and_no_editor_link(built_site):
    html = (built_site / QUESTION / "index.html").read_text(encoding="utf-8")
    assert html.count('class="kb-help"') == 2  # the page's own, and the template for search
    assert contact.GENERIC_ADVICE in html and "内容有误或过时？请告诉物业服务中心" in html
    assert "github.com" not in html


def test_a_bad_contact_setting_stops_the_build_in_chinese(tmp_path):
    from browser import BuildFailed, build_site

    project = copy_site(tmp_path, published=False)
    config = project.config_path.read_text(encoding="utf-8")
    project.config_path.write_text(config.replace("extra:\n", "extra:\n  contact:\n    phone: 请找前台\n", 1), encoding="utf-8")
    with pytest.raises(BuildFailed) as err:
        build_site(tmp_path / "out", project.root)
    assert "网站设置有误：mkdocs.yml 的 `extra.contact.phone`（请找前台）不是电话号码。" in str(err.value)


def test_a_preview_build_shows_editors_the_pencil(tmp_path, monkeypatch):
    from browser import build_site

    project = copy_site(tmp_path, published=False)
    monkeypatch.setenv(site.PREVIEW_VARIABLE, "1")
    build_site(tmp_path / "out", project.root)
    html = (tmp_path / "out" / QUESTION / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/wuye-kb/wuye-kb/edit/main/docs/compensation/soaked-floor.md"' in html


# -- in the browser ------------------------------------------------------------------------------

@pytest.mark.browser
@SIZES
def test_home_search_box_is_visible_and_searches(tab):
    page = tab.page
    page.goto("", wait_until="networkidle")
    box = page.locator(".kb-ask__input")
    rect = box.bounding_box()
    assert box.is_visible() and rect["y"] + rect["height"] <= page.viewport_size["height"]
    tab.screenshot("home")
    box.click()
    page.keyboard.type("楼上漏水把我家地板泡了")
    first = page.locator(".md-search-result__item").first
    first.wait_for()
    assert page.input_value("form[name=search] .md-search__input") == "楼上漏水把我家地板泡了"
    assert "地板" in first.inner_text()


@pytest.mark.browser
@SIZES
def test_example_questions_run_a_search(tab):
    page = tab.page
    page.goto("", wait_until="networkidle")
    example = page.locator(".kb-ask__example").first
    question = example.inner_text()
    example.click()
    page.locator(".md-search-result__item").first.wait_for()
    assert page.input_value("form[name=search] .md-search__input") == question
    assert page.url.rstrip("/").endswith(MOUNT.rstrip("/"))  # a search, not a page load
    # The question's text ends before the buttons at the box's right end (share, clear).
    text_end, buttons_start = page.evaluate("""() => {
      const input = document.querySelector("form[name=search] .md-search__input");
      const box = input.getBoundingClientRect();
      const buttons = [...document.querySelectorAll(".md-search__options > *, .md-search__form button[type=reset]")]
        .map(b => b.getBoundingClientRect()).filter(r => r.width > 0);
      return [box.right - parseFloat(getComputedStyle(input).paddingRight), Math.min(...buttons.map(r => r.left))];
    }""")
    assert text_end <= buttons_start
    tab.screenshot("example")


@pytest.mark.browser
@SIZES
def test_no_answer_view_offers_the_configured_contact(tab):
    page = tab.page
    page.goto(QUESTION, wait_until="networkidle")
    page.locator("label.md-header__button[for=__search]").first.click() if tab.size == "phone" else \
        page.locator("form[name=search] .md-search__input").click()
    page.keyboard.type(NO_ANSWER_QUESTION)
    page.wait_for_selector(".md-search-result__meta[data-kb-answered=false]")
    assert page.inner_text(".md-search-result__meta").startswith("没有找到直接回答这个问题的页面。")
    assert page.locator(".md-search-result__item").count() <= 3
    # The related pages mark the question's words, not its function words (不, 里, 用).
    marked = page.eval_on_selector_all(".md-search-result__list mark", "marks => marks.map(m => m.textContent)")
    assert marked and all(len(text) > 1 for text in marked), marked
    help_block = page.locator(".kb-search-help .kb-help")
    help_block.scroll_into_view_if_needed()
    assert help_block.is_visible()
    text = help_block.inner_text()
    assert "没有解决？" in text and "010-6000 1234" in text and "每天 8:00–20:00" in text and "阳光花园物业" in text
    assert help_block.locator("a").get_attribute("href") == "tel:01060001234"
    # It follows the related pages.
    assert page.evaluate("document.querySelector('.md-search-result__list').nextElementSibling.className") \
        == "kb-search-help md-typeset"
    tab.screenshot("no-answer")
    page.evaluate("document.dispatchEvent(new CustomEvent('kb:verdict', {detail: {answered: true, query: 'x'}}))")
    assert page.locator(".kb-search-help").count() == 0


@pytest.mark.browser
@SIZES
def test_enter_after_no_answer_stays_with_the_contact(tab):
    """A phone's search key is Enter, which opens the first result in Material. From the home box,
    after "no answer", it must not carry the reader to a merely related page; after an answer it
    still opens the first result."""
    page = tab.page
    page.goto("", wait_until="networkidle")
    box = page.locator(".kb-ask__input")
    box.tap() if tab.size == "phone" else box.click()
    page.keyboard.type(NO_ANSWER_QUESTION)
    page.wait_for_selector(".md-search-result__meta[data-kb-answered=false]")
    page.wait_for_selector(".kb-search-help .kb-help")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)  # a navigation, had there been one, would have begun
    assert page.url.rstrip("/").endswith(MOUNT.rstrip("/"))
    assert page.locator(".kb-search-help .kb-help").is_visible()
    assert page.evaluate("document.activeElement.matches('.md-search__input')") is False  # the keyboard folds away

    page.goto("", wait_until="networkidle")
    box.tap() if tab.size == "phone" else box.click()
    page.keyboard.type("楼上漏水把我家地板泡了")
    page.wait_for_selector(".md-search-result__meta[data-kb-answered=true]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("?")[0].endswith(QUESTION)


@pytest.mark.browser
@SIZES
def test_question_page_ends_with_the_contact_and_carries_share_tags(tab):
    page = tab.page
    page.goto(QUESTION, wait_until="networkidle")
    block = page.locator("article .kb-help")
    assert "阳光花园物业服务中心" in block.inner_text() and "内容有误或过时？" in block.inner_text()
    assert page.locator("a.md-content__button").count() == 0
    # What a chat app reads when the link is pasted (every page: test_every_page_has_share_tags_…).
    share = {p: page.get_attribute(f'meta[property="{p}"]', "content") for p in ("og:title", "og:description", "og:url")}
    assert share == {"og:title": "家里地板被水泡了，物业要负责吗？",
                     "og:description": load_library(ROOT / "docs").pages["compensation/soaked-floor.md"].description,
                     "og:url": "https://wuye-kb.github.io/wuye-kb/" + QUESTION}
    tab.screenshot("question")


@pytest.mark.browser
@SIZES
def test_404_page_is_chinese_with_search_categories_and_a_way_home(tab):
    page = tab.page
    response = page.goto("compensation/no-such-page/", wait_until="networkidle")
    assert response.status == 404
    assert page.locator("article h1").inner_text() == "找不到这个页面"
    assert page.title() == "找不到页面 - 物业知识库"
    assert page.locator(".kb-ask__input").is_visible()
    categories = page.locator("ul.kb-categories a").all_inner_texts()
    assert "损失与赔偿" in categories and len(categories) == 6
    tab.screenshot("404")
    page.locator("ul.kb-categories a", has_text="损失与赔偿").click()
    page.wait_for_url("**/compensation/")
    page.go_back()
    page.locator("a.md-button", has_text="回到首页").click()
    page.wait_for_url(re.compile(re.escape(MOUNT) + "$"))
    page.locator(".kb-ask__input").wait_for()


@pytest.mark.browser
@SIZES
def test_question_page_downloads_only_what_it_uses(tab):
    page = tab.page
    page.goto(QUESTION, wait_until="networkidle")
    files = sorted({u[len(tab.requests.base):] for u in tab.requests.urls})
    # Each file, and what uses it. Material's own search worker and its language files never load.
    expected = [
        "assets/images/favicon.png",  # the tab's icon
        "assets/javascripts/bundle.*.min.js",  # Material: menu, search box, instant navigation
        "assets/javascripts/kb-help.js",  # the verdict on the page, the ask box, the help block
        "assets/javascripts/kb-search-worker.js",  # our search
        "assets/stylesheets/kb.css",
        "assets/stylesheets/main.*.min.css",
        "assets/stylesheets/palette.*.min.css",
        QUESTION,
        "search/kb-index.json",  # the search data our worker uses
        "search/search_index.json",  # config only: Material's highlighter reads its separator
        "sitemap.xml",  # Material's instant navigation: which links are the site's own
    ]
    assert len(files) == len(expected) and all(fnmatch(f, pattern) for f, pattern in zip(files, expected)), files
