"""Fixtures build real things in tmp_path: a tiny knowledge base and a real index built from it."""

from __future__ import annotations

import datetime as dt
import errno
import shutil
import textwrap
from pathlib import Path

import pytest

from kb_tools import redirects
from kb_tools.project import Project

ROOT = Path(__file__).resolve().parent.parent
# The day every test runs on: the pages' review dates are about a day old then. A test that is
# about another day passes `today=` or sets KB_TODAY itself; none reads the system clock.
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """`kb` commands and checks, in this process and in the ones it starts, run on TODAY."""
    monkeypatch.setenv("KB_TODAY", TODAY.isoformat())

TINY_PAGES = {
    "index.md": """
        ---
        title: 首页
        ---
        欢迎使用。
        """,
    "repairs/index.md": """
        ---
        title: 维修与赔偿
        order: 1
        ---
        维修和赔偿相关的问题。
        """,
    "repairs/water-outage.md": """
        ---
        title: 停水造成损失，物业要赔偿吗？
        category: 维修与赔偿
        tags: [停水, 赔偿]
        aliases: [自来水突然没了怎么办]
        reviewed: 2026-11-01
        status: published
        source: {title: 测试来源, date: 2023-11-21, sections: [5]}
        related: [soaked-floor.md]
        ---
        ## 简要回答

        物业无故停水造成经济损失的，应当给予适当赔偿。

        ## 注意事项

        维修水管需要停水时，物业应提前通知业主。
        """,
    "repairs/soaked-floor.md": """
        ---
        title: 地板被水泡了，物业负责吗？
        category: 维修与赔偿
        tags: [漏水, 地板]
        aliases: [楼上漏水把木地板泡坏了]
        reviewed: 2026-11-01
        status: needs-review
        review_note: 责任划分需要编辑补充。
        ---
        ## 简要回答

        如果是物业的责任，由物业负责维修或赔偿；否则物业也要帮助业主处理漏水事故。
        """,
    "privacy/index.md": """
        ---
        title: 业主隐私
        order: 2
        ---
        业主信息相关的问题。
        """,
    "privacy/neighbour-contact.md": """
        ---
        title: 能向物业要邻居的联系方式吗？
        category: 业主隐私
        tags: [联系方式, 隐私]
        aliases: [想找对门邻居的电话]
        reviewed: 2026-11-01
        status: published
        ---
        ## 简要回答

        物业一般不会提供其他业主的手机号码，这属于个人信息。遇到漏水等严重的事，可以请物业帮忙联系对方。
        """,
}

MKDOCS_YML = """\
site_name: 测试知识库
site_url: https://kb.example.org/
theme:
  name: material
  language: zh
  font: false
markdown_extensions:
  - attr_list
  - admonition
hooks:
  - {hooks}
"""


def write_pages(docs: Path, pages: dict[str, str]) -> None:
    for rel, text in pages.items():
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def tiny_project(tmp_path, monkeypatch) -> Project:
    """A three-question knowledge base with its own mkdocs.yml; KB_ROOT points at it."""
    root = tmp_path / "kb"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(hooks=ROOT / "kb_tools" / "mkdocs_hooks.py"), encoding="utf-8")
    write_pages(root / "docs", TINY_PAGES)
    monkeypatch.setenv("KB_ROOT", str(root))
    monkeypatch.delenv("KB_INDEX_DIR", raising=False)
    return Project(root)


@pytest.fixture(scope="session")
def pristine_kb(tmp_path_factory) -> Path:
    """The tiny knowledge base with a real index, built once per session. Read it; to change
    it, take `tiny_index`, a copy."""
    from kb_tools.indexer import build

    root = tmp_path_factory.mktemp("pristine") / "kb"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(hooks=ROOT / "kb_tools" / "mkdocs_hooks.py"), encoding="utf-8")
    write_pages(root / "docs", TINY_PAGES)
    build(Project(root))
    return root


@pytest.fixture
def tiny_index(pristine_kb, tmp_path, monkeypatch) -> Project:
    """A copy of the pristine knowledge base (mtimes kept, so its index is up to date); KB_ROOT points at it."""
    from kb_tools.indexer import ensure_fresh

    root = tmp_path / "kb"
    shutil.copytree(pristine_kb, root)
    monkeypatch.setenv("KB_ROOT", str(root))
    monkeypatch.delenv("KB_INDEX_DIR", raising=False)
    project = Project(root)
    assert ensure_fresh(project, notify=pytest.fail) is None
    return project


@pytest.fixture
def disk_full_midway(monkeypatch):
    """Index builds in this process fail after writing their first page, as a full disk fails
    them (the writing phase raises ENOSPC); the real build then cleans up and explains."""
    from kb_tools import indexer

    add_documents = indexer.add_documents

    def add_one_then_fail(writer, todo, progress=None):
        add_documents(writer, todo[:1], progress)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(indexer, "add_documents", add_one_then_fail)


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """The real knowledge base indexed into a temporary directory (the repo's own index untouched)."""
    from kb_tools.indexer import build

    project = Project(ROOT, index_path=tmp_path_factory.mktemp("real-index"))
    build(project)
    return project


# -- the built site in a browser (tests/browser.py) -----------------------------------------------

@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built with `mkdocs build --strict`; fails on any warning."""
    from browser import build_site

    site = tmp_path_factory.mktemp("site")
    build_site(site)
    return site


@pytest.fixture(scope="session")
def site_server(built_site):
    """Base URL (ending in /) of the built site, served on 127.0.0.1 at a free port."""
    from browser import serve

    with serve(built_site) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the session. Missing chromium fails, never skips."""
    from browser import CHROMIUM, CHROMIUM_MISSING, launch

    if not CHROMIUM.exists():
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch(playwright)
        yield instance
        instance.close()


@pytest.fixture
def open_tab(browser, site_server):
    """Factory: open_tab("phone" | "desktop") -> browser.Tab on the served site, closed afterwards."""
    from browser import open_tab as _open_tab

    tabs = []

    def open_(size: str):
        tabs.append(_open_tab(browser, site_server, size))
        return tabs[-1]

    yield open_
    for tab in tabs:
        tab.close()


@pytest.fixture
def phone_page(open_tab):
    """375 × 812 touch screen at 2× pixel density."""
    return open_tab("phone")


@pytest.fixture
def desktop_page(open_tab):
    """1280 × 800 desktop window."""
    return open_tab("desktop")


# -- a copy of the real site --------------------------------------------------------------------

SAMPLE_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                           "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a90000000049454e44ae426082")


def copy_site(dest: Path, *, published: bool = True) -> Project:
    """docs/ (plus one small image), overrides/ and mkdocs.yml of the repository in dest/kb; with `published`, every current
    page is recorded as published (so that only planted pages count as new)."""
    root = dest / "kb"
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "docs" / "assets" / "images").mkdir(parents=True)
    (root / "docs" / "assets" / "images" / "sample.png").write_bytes(SAMPLE_PNG)
    shutil.copytree(ROOT / "overrides", root / "overrides")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("kb_tools/mkdocs_hooks.py", str(ROOT / "kb_tools" / "mkdocs_hooks.py"))
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    project = Project(root)
    if published:
        redirects.update_manifest(project)
    return project


@pytest.fixture
def site(tmp_path, monkeypatch) -> Project:
    project = copy_site(tmp_path)
    monkeypatch.setenv("KB_ROOT", str(project.root))
    monkeypatch.delenv("KB_INDEX_DIR", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return project
