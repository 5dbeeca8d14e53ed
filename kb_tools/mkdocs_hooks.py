"""MkDocs hooks (mkdocs.yml `hooks:`). Thin: the loader validates, kb_tools.site decides what is
shown, kb_tools.checks.unsafe refuses what would run scripts, kb_tools.site_search indexes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from kb_tools import redirects, site
from kb_tools.checks import unsafe
from kb_tools.checks.source import SourceFile
from kb_tools.errors import KbError
from kb_tools.pages import load_library
from kb_tools.site_search import SiteIndex
from kb_tools.text import IndexSegmenter, load_resources

SCRIPT_REFUSED = "页面中有会在读者浏览器里运行脚本的内容，网站没有生成：\n"

_state: dict = {}
_segmenters: dict = {}  # jieba takes ~0.7 s to load: once per process, per dictionary version


def _segmenter(resources):
    if resources.fingerprint not in _segmenters:
        _segmenters.clear()
        _segmenters[resources.fingerprint] = IndexSegmenter(resources)
    return _segmenters[resources.fingerprint]


def on_config(config):
    docs_dir = Path(config["docs_dir"])
    try:
        library = load_library(docs_dir)
        resources = load_resources()
    except KbError as err:
        raise PluginError(f"页面校验失败：{err}") from None
    _state["library"] = library
    _state["root"] = Path(config["config_file_path"]).parent
    _state["dates"] = site.git_dates(_state["root"], docs_dir)
    _state["search"] = SiteIndex(resources, _segmenter(resources))
    if not config.get("nav"):
        config["nav"] = site.build_nav(library)
    return config


def on_page_markdown(markdown, page, config, files):
    library = _state["library"]
    record = library.pages.get(page.file.src_uri)
    if record is None:
        return markdown
    page.meta["revision_date"] = site.last_updated(record.path, library.docs_dir, _state["dates"]).isoformat()
    if record.description:
        page.meta.setdefault("description", record.description)
    return site.decorate(record, markdown, library)


def on_page_content(html, page, config, files):
    """Raw HTML and attr_list reach the reader's browser as written: a page that would run a
    script there stops the build, with `kb check`'s rules (KB311–KB313) and file:line messages."""
    record = _state["library"].pages.get(page.file.src_uri)
    if record is None:
        return html
    display = Path(os.path.relpath(page.file.abs_src_path, _state["root"])).as_posix()
    source = SourceFile.parse(page.file.src_uri, display, page.file.content_string)
    findings = unsafe.check(source) or unsafe.rendered(source, html)
    if findings:
        raise PluginError(SCRIPT_REFUSED + "\n".join(str(f) for f in findings))
    if record.searchable:
        _state["search"].add(record, page.url, html)
    return html


def on_post_build(config):
    target = Path(config["site_dir"]) / "search" / "kb-index.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(_state["search"].data(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    try:
        redirects.write_redirect_pages(config, {p.path: p.title for p in _state["library"].pages.values()})
    except KbError as err:
        raise PluginError(f"重定向页面生成失败：{err}") from None
