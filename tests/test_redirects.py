"""Published URLs never silently disappear: the manifest, the redirects map, KB601–KB603 and the
redirect pages written into the built site."""

from __future__ import annotations

import pytest

from kb_tools import redirects
from kb_tools.errors import KbError

from conftest import copy_site
from test_checks import kb

FLOOR = "compensation/soaked-floor.md"
RENAMED = "compensation/floor-soaked.md"



def write_redirects(project, text: str) -> None:
    (project.root / redirects.REDIRECTS_FILE).write_text(text, encoding="utf-8")


def rename(project, old: str, new: str) -> None:
    """Rename a page and fix the links to it, as an editor would."""
    (project.docs_dir / old).rename(project.docs_dir / new)
    for path in project.docs_dir.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old.split("/")[-1], new.split("/")[-1]), encoding="utf-8")


def manifest_line(project, url: str) -> int:
    return dict(redirects.read_manifest(project.root))[url]


# -- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel, url", [
    ("index.md", "/"), ("about.md", "/about/"), ("compensation/index.md", "/compensation/"),
    ("compensation/soaked-floor.md", "/compensation/soaked-floor/"),
])
def test_url_of_a_page(rel, url):
    assert redirects.url_path(rel) == url and redirects.rel_for_url(url) == rel.replace("/index.md", ".md")


@pytest.mark.parametrize("start, target, href", [
    ("compensation/soaked-floor/", "compensation/floor-soaked/", "../floor-soaked/"),
    ("compensation/soaked-floor/", "privacy/find-owner-contact/", "../../privacy/find-owner-contact/"),
    ("compensation/soaked-floor/", "", "../../"),
    ("about/", "compensation/", "../compensation/"),
    ("old.html", "new.html", "new.html"),
    ("a/old.html", "b/new.html", "../b/new.html"),
])
def test_relative_href(start, target, href):
    assert redirects.relative_href(start, target) == href


# -- the manifest -------------------------------------------------------------------------------

def test_update_manifest_appends_only_new_urls(site, capsys):
    path = site.root / redirects.URLS_FILE
    text = path.read_text(encoding="utf-8")
    assert text.startswith(redirects.URLS_HEADER) and "/compensation/soaked-floor/\n" in text
    assert kb(capsys, "urls", "--update") == (0, f"{redirects.URLS_FILE} 已是最新，没有新网址。\n", "")
    rename(site, FLOOR, RENAMED)
    assert kb(capsys, "urls", "--update") == (
        0, f"已在 {redirects.URLS_FILE} 中登记 1 个新网址：\n  /compensation/floor-soaked/\n", "")
    assert path.read_text(encoding="utf-8") == text + "/compensation/floor-soaked/\n"  # the old URL stays


def test_first_update_writes_the_header(tmp_path):
    project = copy_site(tmp_path, published=False)
    added = redirects.update_manifest(project)
    text = (project.root / redirects.URLS_FILE).read_text(encoding="utf-8")
    assert added[0] == "/" and len(added) == len(redirects.current_urls(project.docs_dir))
    assert text == redirects.URLS_HEADER + "".join(url + "\n" for url in added)


def test_a_manifest_line_that_is_not_a_url_path(site, capsys):
    with open(site.root / redirects.URLS_FILE, "a", encoding="utf-8") as fh:
        fh.write("compensation/soaked-floor/\n")
    line = len((site.root / redirects.URLS_FILE).read_text(encoding="utf-8").splitlines())
    code, out, err = kb(capsys, "check")
    assert (code, out) == (1, "")
    assert err == (f"错误：{redirects.URLS_FILE}:{line}: “compensation/soaked-floor/”不是以 / 开头的网址路径，"
                   "例如 `/compensation/water-outage/`。\n")


def test_kb_urls_lists_pages_redirects_and_lost_urls(site, capsys):
    rename(site, FLOOR, RENAMED)
    code, out, _ = kb(capsys, "urls")
    line = manifest_line(site, "/compensation/soaked-floor/")
    assert code == 1
    assert "/compensation/floor-soaked/  docs/compensation/floor-soaked.md\n" in out
    assert out.endswith(f"/compensation/soaked-floor/  （已发布，但没有页面也没有重定向：{redirects.URLS_FILE} 第 {line} 行）\n")
    write_redirects(site, f"{FLOOR}: {RENAMED}#处理步骤\n")
    code, out, _ = kb(capsys, "urls")
    assert code == 0 and out.endswith("/compensation/soaked-floor/  → docs/compensation/floor-soaked.md#处理步骤（重定向）\n")


# -- KB601–KB603 --------------------------------------------------------------------------------

def test_kb601_renamed_page_without_redirect(site, capsys):
    rename(site, FLOOR, RENAMED)
    code, out, _ = kb(capsys, "check")
    line = manifest_line(site, "/compensation/soaked-floor/")
    assert code == 1
    assert out == (f"{redirects.URLS_FILE}:{line}: KB601: 已发布的网址 /compensation/soaked-floor/ 现在没有页面，也没有重定向。"
                   f"页面删除或改名后，请在 {redirects.REDIRECTS_FILE} 中加一行，让旧网址跳转到新页面，例如 "
                   f"`{FLOOR}: {RENAMED}`。\n")


def test_kb601_removed_page_suggests_its_category(site, capsys):
    (site.docs_dir / "management/property-tender.md").unlink()
    for rel in ("management/index.md", "service/complaint-prevention.md"):
        path = site.docs_dir / rel
        lines = [l for l in path.read_text(encoding="utf-8").splitlines(keepends=True) if "property-tender.md" not in l]
        path.write_text("".join(lines), encoding="utf-8")
    code, out, _ = kb(capsys, "check")
    assert code == 1 and out.endswith("例如 `management/property-tender.md: management/index.md`。\n")


def test_kb601_satisfied_by_a_redirect(site, capsys):
    rename(site, FLOOR, RENAMED)
    write_redirects(site, f"# 改名\n{FLOOR}: {RENAMED}\n")
    assert kb(capsys, "check")[:2] == (0, "")


def test_files_given_do_not_check_urls(site, capsys):
    rename(site, FLOOR, RENAMED)
    assert kb(capsys, "check", f"docs/{RENAMED}")[:2] == (0, "")


@pytest.mark.parametrize("text, line, code, message", [
    ("compensation/soaked-floor.md: [a\n", 2, "KB602",
     "重定向表不是有效的 YAML。每行写 `旧页面路径: 新页面路径`，例如 `compensation/old-name.md: compensation/new-name.md`。"),
    ("- compensation/soaked-floor.md\n", 1, "KB602", "重定向表的每一行应是 `旧页面路径: 新页面路径`。"),
    ("/compensation/soaked-floor/: compensation/water-outage.md\n", 1, "KB602",
     "旧页面路径“/compensation/soaked-floor/”必须是 docs/ 下的 .md 路径（不以 / 开头），例如 `compensation/water-outage.md`。"),
    ("compensation/gone.md: compensation/water-outage\n", 1, "KB602",
     "新页面路径“compensation/water-outage”必须是 docs/ 下的 .md 路径（不以 / 开头），例如 `compensation/water-outage.md`。"),
    ("compensation/gone.md: compensation/water-outages.md\n", 1, "KB602",
     "重定向的目标“compensation/water-outages.md”不是现有的页面。是不是 `compensation/water-outage.md`？"),
    ("compensation/a.md: compensation/b.md\ncompensation/b.md: compensation/a.md\n", 1, "KB602",
     "重定向形成了循环：compensation/a.md → compensation/b.md → compensation/a.md。"),
    ("compensation/gone.md: compensation/water-outage.md\ncompensation/gone.md: compensation/soaked-floor.md\n", 2,
     "KB602", "“compensation/gone.md”出现了两次。每个旧页面只能有一条重定向。"),
    ("compensation/water-outage.md: compensation/soaked-floor.md\n", 1, "KB603",
     "“compensation/water-outage.md”仍是现有的页面，不能同时重定向到别处。请删除这条重定向，或删除（改名）这个页面。"),
])
def test_bad_redirects(site, capsys, text, line, code, message):
    write_redirects(site, text)
    status, out, _ = kb(capsys, "check")
    assert status == 1
    assert out.splitlines()[0] == f"{redirects.REDIRECTS_FILE}:{line}: {code}: {message}"


def test_chains_are_followed_to_a_page(site):
    write_redirects(site, "compensation/a.md: compensation/b.md\ncompensation/b.md: compensation/soaked-floor.md#处理步骤\n")
    result = redirects.load_redirects(site.root, site.docs_dir)
    assert result.problems == []
    assert [(r.old, r.new, r.fragment) for r in result.entries] == [
        ("compensation/a.md", FLOOR, "#处理步骤"), ("compensation/b.md", FLOOR, "#处理步骤")]


# -- redirect pages in the built site -------------------------------------------------------------

@pytest.mark.slow
def test_build_writes_a_redirect_page_without_script(site, tmp_path):
    from browser import build_site

    rename(site, FLOOR, RENAMED)
    write_redirects(site, f"{FLOOR}: {RENAMED}\nmanagement/tender.md: management/property-tender.md#现在可以怎么做\n")
    build_site(tmp_path / "site", site.root)
    assert (tmp_path / "site/compensation/soaked-floor/index.html").read_text(encoding="utf-8") == """\
<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>页面已移动：家里地板被水泡了，物业要负责吗？</title>
<link rel="canonical" href="https://wuye-kb.github.io/wuye-kb/compensation/floor-soaked/">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url=../floor-soaked/">
</head>
<body>
<p>本页已移动到<a href="../floor-soaked/">家里地板被水泡了，物业要负责吗？</a>。</p>
</body>
</html>
"""
    tender = (tmp_path / "site/management/tender/index.html").read_text(encoding="utf-8")
    assert 'content="0; url=../property-tender/#现在可以怎么做"' in tender and "<script" not in tender
    assert (tmp_path / "site/compensation/floor-soaked/index.html").is_file()


def test_build_refuses_a_broken_redirects_map(site, tmp_path):
    from browser import BuildFailed, build_site

    write_redirects(site, "compensation/gone.md: compensation/nowhere.md\n")
    with pytest.raises(BuildFailed, match=r"重定向页面生成失败：kb_tools/data/redirects.yml:1: KB602: "
                                          r"重定向的目标“compensation/nowhere.md”不是现有的页面"):
        build_site(tmp_path / "site", site.root)


def test_redirect_onto_a_built_page_is_refused(site, tmp_path):
    """A redirect whose old path is a page is KB603; the build refuses it too, rather than overwrite."""
    write_redirects(site, f"{FLOOR}: compensation/water-outage.md\n")
    with pytest.raises(KbError, match=r"KB603"):
        config = {"config_file_path": str(site.config_path), "docs_dir": str(site.docs_dir),
                  "site_dir": str(tmp_path / "site"), "use_directory_urls": True, "site_url": site.site_url}
        redirects.write_redirect_pages(config, {})
