"""MkDocs hooks (mkdocs.yml `hooks:`). Thin: the loader validates, kb_tools.site decides what is
shown, kb_tools.checks.unsafe refuses what would run scripts, kb_tools.site_search indexes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from kb_tools import contact, gate, redirects, site
from kb_tools.checks import unsafe
from kb_tools.checks.source import SourceFile
from kb_tools.errors import KbError
from kb_tools.pages import load_library
from kb_tools.site_search import SiteIndex
from kb_tools.text import IndexSegmenter, load_resources

REFUSED = "页面中有网站不允许的内容（会运行脚本、加载其他网站或被去掉），网站没有生成：\n"

_state: dict = {}
_segmenters: dict = {}  # jieba takes ~0.7 s to load: once per process, per dictionary version


def _segmenter(resources):
    if resources.fingerprint not in _segmenters:
        _segmenters.clear()
        _segmenters[resources.fingerprint] = IndexSegmenter(resources)
    return _segmenters[resources.fingerprint]


def on_startup(command, dirty):
    _state["command"] = command


def on_config(config):
    docs_dir = Path(config["docs_dir"])
    try:
        library = load_library(docs_dir)
        resources = load_resources()
    except KbError as err:
        raise PluginError(f"页面校验失败：{err}") from None
    try:
        _state["contact"] = contact.read(config.get("extra"))
    except contact.ConfigError as err:
        raise PluginError(f"网站设置有误：{err}") from None
    # The edit pencil leads to GitHub: for editors previewing the site, not for owners.
    if not site.is_preview(_state.get("command"), os.environ):
        config["theme"]["features"] = [f for f in config["theme"]["features"] if f != "content.action.edit"]
    _state["library"] = library
    _state["root"] = Path(config["config_file_path"]).parent
    _state["dates"] = site.git_dates(_state["root"], docs_dir)
    _state["search"] = SiteIndex(resources, _segmenter(resources))
    if not config.get("nav"):
        config["nav"] = site.build_nav(library)
    return config


def on_env(env, config, files):
    """What the templates in overrides/ print beyond Material's own: the help block, built and
    escaped here from the checked settings."""
    help_block = _state["contact"]
    env.globals["kb_help_page"] = contact.help_html(help_block, feedback=True)
    env.globals["kb_help_search"] = contact.help_html(help_block, feedback=False)
    return env


def on_page_markdown(markdown, page, config, files):
    library = _state["library"]
    record = library.pages.get(page.file.src_uri)
    if record is None:
        return markdown
    # What the theme reads of a page is what the loader validated, and the title it chose, whatever
    # MkDocs itself would have taken (its own metadata reading, a setext heading, the file name).
    page.meta.clear()
    page.meta.update(record.meta, title=record.title)
    page.meta["revision_date"] = site.last_updated(record.path, library.docs_dir, _state["dates"]).isoformat()
    if record.description:
        page.meta.setdefault("description", record.description)
    return site.decorate(record, markdown, library)


def on_page_content(html, page, config, files):
    """Every page's HTML passes the gate (kb_tools.gate): a page that would lose anything to it
    stops the build with `kb check`'s rules (KB311–KB315) and file:line messages; what is
    published is the gate's own output."""
    record = _state["library"].pages.get(page.file.src_uri)
    if record is None:
        raise PluginError(f"{page.file.src_uri} 不是知识库的页面，网站没有生成。")
    kept, drops = gate.check(html)
    if drops:
        display = Path(os.path.relpath(page.file.abs_src_path, _state["root"])).as_posix()
        source = SourceFile.parse(page.file.src_uri, display, page.file.content_string)
        raise PluginError(REFUSED + "\n".join(str(f) for f in unsafe.findings(source, drops)))
    if record.searchable:
        _state["search"].add(record, page.url, kept)
    return kept


def on_post_page(output, page, config):
    """The whole page as the theme printed it (title, navigation, table of contents, head): no
    event handler, script URL or load from another site, whatever template carried it there."""
    problems = gate.audit_page(output)
    if problems:
        display = Path(os.path.relpath(page.file.abs_src_path, _state["root"])).as_posix()
        raise PluginError(REFUSED + "\n".join(f"{display}: {code}: 生成的网页中有{what}。它来自页面的标题、标签、"
                                               "front matter 或 mkdocs.yml 的设置，请检查。" for code, what in problems))
    return output


def on_post_build(config):
    # Material's bundle downloads its own search index on every first visit to set up its worker;
    # ours answers from kb-index.json and ignores it. Only the index's `config` is read on the
    # page (the highlighter's word separator): that is all that is kept.
    material_index = Path(config["site_dir"]) / "search" / "search_index.json"
    if material_index.is_file():
        settings = json.loads(material_index.read_text(encoding="utf-8")).get("config", {})
        material_index.write_text(json.dumps({"config": settings, "docs": []}, ensure_ascii=False), encoding="utf-8")
    target = Path(config["site_dir"]) / "search" / "kb-index.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(_state["search"].data(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    try:
        redirects.write_redirect_pages(config, {p.path: p.title for p in _state["library"].pages.values()})
    except KbError as err:
        raise PluginError(f"重定向页面生成失败：{err}") from None
