"""MkDocs hooks (mkdocs.yml `hooks:`). Thin: the loader validates, kb_tools.site decides what is shown."""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

from kb_tools import site
from kb_tools.errors import KbError
from kb_tools.pages import load_library

_state: dict = {}


def on_config(config):
    docs_dir = Path(config["docs_dir"])
    try:
        library = load_library(docs_dir)
    except KbError as err:
        raise PluginError(f"页面校验失败:{err}") from None
    _state["library"] = library
    _state["dates"] = site.git_dates(Path(config["config_file_path"]).parent, docs_dir)
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
