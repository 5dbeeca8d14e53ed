"""MkDocs hooks (mkdocs.yml `hooks:`). Thin: the loader validates, kb_tools.site decides what is shown."""

from __future__ import annotations

import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

from mkdocs.exceptions import PluginError

from kb_tools import redirects, site
from kb_tools.errors import KbError
from kb_tools.pages import load_library
from kb_tools.site_search import SiteIndex
from kb_tools.text import IndexSegmenter, load_resources

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
    except KbError as err:
        raise PluginError(f"页面校验失败：{err}") from None
    shown = Path(os.path.relpath(docs_dir, Path(config["config_file_path"]).parent)).as_posix()
    problems = [problem for page in library.pages.values() for problem in front_matter_markup(page, shown)]
    if problems:
        raise PluginError("页面的 front matter 中有会被当作网页代码的字符，网站没有生成：\n" + "\n".join(problems))
    _state["library"] = library
    _state["dates"] = site.git_dates(Path(config["config_file_path"]).parent, docs_dir)
    if not config.get("nav"):
        config["nav"] = site.build_nav(library)
    try:
        resources = load_resources()
    except KbError as err:
        raise PluginError(f"搜索词典有误：{err}") from None
    _state["search"] = SiteIndex(resources, _segmenter(resources))
    return config


def on_page_markdown(markdown, page, config, files):
    library = _state["library"]
    record = library.pages.get(page.file.src_uri)
    if record is None:
        return markdown
    _refuse_scripts(page.file, config)
    page.meta["revision_date"] = site.last_updated(record.path, library.docs_dir, _state["dates"]).isoformat()
    if record.description:
        page.meta.setdefault("description", record.description)
    return site.decorate(record, markdown, library)


SCRIPT_REFUSED = "页面中有会在读者浏览器里运行脚本的内容，网站没有生成：\n"


def _display(file, config) -> str:
    return Path(os.path.relpath(file.abs_src_path, Path(config["config_file_path"]).parent)).as_posix()


def _refuse_scripts(file, config) -> None:
    """Raw HTML and attr_list reach the reader's browser as written: a page that would run a
    script there stops the build. The detector is `kb check`'s (KB311–KB313), so the check and
    the build refuse the same things, with the same file:line message."""
    from kb_tools.checks import unsafe
    from kb_tools.checks.source import SourceFile

    findings = unsafe.check(SourceFile.parse(file.src_uri, _display(file, config), file.content_string))
    if findings:
        raise PluginError(SCRIPT_REFUSED + "\n".join(str(f) for f in findings))


class _ActiveHtml(HTMLParser):
    """Elements, event handlers and script URLs in rendered HTML: (what, text to find in the source)."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
    SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")

    def __init__(self, tags):
        super().__init__(convert_charrefs=True)
        self.tags = tags
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.tags:
            self.found.append((f"标签 `<{tag}>`", f"<{tag}"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((f"事件属性 `{name}=`", name))
            elif name in self.URL_ATTRIBUTES and value:
                # Browsers drop tabs and newlines anywhere in a URL and spaces around it.
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = next((s for s in self.SCRIPT_SCHEMES if url.startswith(s)), None)
                if scheme:
                    self.found.append((f"链接 `{scheme}`", scheme.split(":")[0][:4]))

    handle_startendtag = handle_starttag


def _refuse_active_html(html_text: str, file, config, body_line: int) -> None:
    """Backstop for _refuse_scripts, on the HTML a reader gets. A line-based detector and
    Python-Markdown can disagree about what is code: an unclosed ``` fence or `<!--` is plain
    text to Markdown but hides the lines after it from the detector, and a tag can span lines."""
    from kb_tools.checks.unsafe import EMBEDDING_TAGS

    finder = _ActiveHtml(EMBEDDING_TAGS)
    finder.feed(html_text)
    finder.close()
    if not finder.found:
        return
    what, needle = finder.found[0]
    lines = file.content_string.splitlines()
    line = next((n for n, text in enumerate(lines, 1)
                 if n >= body_line and needle in html.unescape(text).lower()), body_line)
    raise PluginError(SCRIPT_REFUSED + f"{_display(file, config)}:{line}: 生成的网页中有{what}，"
                      "它会在读者的浏览器里运行脚本。请删除；要展示代码，请放进代码块，并检查 ``` 和 <!-- --> 是否成对。")


# Front matter the theme prints as HTML without escaping: titles (navigation, page heading),
# tags (tag chips) and the description (inside the meta tag's attribute). Aliases, review notes
# and source titles go through kb_tools.site, which escapes them.
SHOWN_AS_HTML = ("title", "tags", "description")
_MARKUP = {"<": "全角的“＜”", '"': "中文引号“”"}


def front_matter_markup(page, docs: str = "docs") -> list[str]:
    """`docs/…:line: …` for each front-matter value that would reach the HTML as markup."""
    problems = []
    for key in SHOWN_AS_HTML:
        value = page.meta.get(key)
        for text in value if isinstance(value, list) else [value]:
            for char, instead in _MARKUP.items():
                if isinstance(text, str) and char in text:
                    problems.append(f"{docs}/{page.path}:{page.line_of(key)}: 字段 `{key}` 中的 `{char}` 会被网站当作网页代码，"
                                    f"可能在读者的浏览器里运行脚本。请删除，或改用{instead}。")
    return problems


def on_page_content(html, page, config, files):
    record = _state["library"].pages.get(page.file.src_uri)
    if record is not None:
        _refuse_active_html(html, page.file, config, record.body_line)
    if record is not None and record.searchable:
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
