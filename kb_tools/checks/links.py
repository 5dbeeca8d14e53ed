"""KB201–KB203: links between pages resolve, anchors included.

Anchors are not guessed: each linked page is rendered with the `markdown_extensions` of mkdocs.yml
(toc with pymdownx.slugs, attr_list …), as the site will render it, and the ids are read from
the HTML. That covers heading slugs, explicit `{#id}`s, Python-Markdown's `_1` suffixes for
repeated headings and the headings the site adds to question pages (其他问法, 相关问题 …)."""

from __future__ import annotations

import difflib
import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from kb_tools import site
from kb_tools.checks.rules import Finding
from kb_tools.checks.source import SourceFile, code_spans, link_destinations, outside
from kb_tools.errors import KbError
from kb_tools.pages import Library, resolve_link
from kb_tools.project import Project

MKDOCS_BUILTIN_EXTENSIONS = ["toc", "tables", "fenced_code"]
_REF_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ID = re.compile(r'\sid="([^"]*)"')


def iter_targets(line: str):
    """(column, target) of the links on a line (inline links and images, reference definitions), outside code."""
    spans = code_spans(line)
    for start, end in link_destinations(line):
        if not outside(spans, start) or line[start] != "(":
            continue
        inner = line[start + 1:end - 1].strip()
        if inner.startswith("<"):
            target = inner[1:inner.find(">")] if ">" in inner else inner[1:]
        else:
            target = inner.split()[0] if inner.split() else ""
        yield start + 1, target
    match = _REF_DEFINITION.match(line)
    if match:
        yield match.start(1), match.group(1).strip("<>")


class AnchorIndex:
    """The ids of each page, from HTML rendered like the site renders it."""

    def __init__(self, project: Project, library: Library):
        self.project, self.library = project, library
        self._md = None
        self._html: dict[str, str] = {}
        self._ids: dict[str, set[str]] = {}

    def _markdown(self):
        if self._md is None:
            import markdown
            from mkdocs.config.base import ValidationError
            from mkdocs.config.config_options import MarkdownExtensions
            from mkdocs.exceptions import ConfigurationError
            from mkdocs.utils.yaml import yaml_load

            try:
                with open(self.project.config_path, encoding="utf-8") as fh:
                    config = yaml_load(fh)
                option = MarkdownExtensions(builtins=list(MKDOCS_BUILTIN_EXTENSIONS))
                extensions = option.run_validation(config.get("markdown_extensions") or [])
                self._md = markdown.Markdown(extensions=extensions, extension_configs=option.configdata)
            except (OSError, ConfigurationError, ValidationError) as err:
                raise KbError(f"无法按 mkdocs.yml 的 markdown_extensions 生成页面：{err}", path="mkdocs.yml") from None
        return self._md

    def render(self, markdown: str) -> str:
        """Markdown rendered as the site renders it (mkdocs.yml's extensions)."""
        md = self._markdown()
        md.reset()
        return md.convert(markdown)

    def html(self, rel: str) -> str | None:
        """The page's content as the site renders it; None when the page could not be loaded."""
        page = self.library.pages.get(rel)
        if page is None:
            return None
        if rel not in self._html:
            md = self._markdown()
            md.reset()
            try:
                self._html[rel] = md.convert(site.decorate(page, page.body, self.library))
            except Exception as err:  # an extension's own error, whatever its type
                raise KbError(f"无法按 mkdocs.yml 的设置生成页面（{type(err).__name__}：{err}）。", path=f"docs/{rel}") from None
        return self._html[rel]

    def ids(self, rel: str) -> set[str] | None:
        """None when the page could not be loaded (its own errors are reported elsewhere)."""
        rendered = self.html(rel)
        if rendered is None:
            return None
        if rel not in self._ids:
            self._ids[rel] = {html.unescape(i) for i in _ID.findall(rendered)}
        return self._ids[rel]


def check(source: SourceFile, project: Project, library: Library, anchors: AnchorIndex, show) -> list[Finding]:
    """`show(rel)` turns a docs-relative path into the path printed in messages."""
    findings = []
    for line in source.body_lines():
        for column, target in iter_targets(line.text):
            problem = _problem(source.rel, target, project, library, anchors, show)
            if problem:
                findings.append(Finding(source.display, line.number, problem[0], problem[1], column))
    return findings


def _problem(rel: str, target: str, project: Project, library: Library, anchors: AnchorIndex, show):
    docs = library.docs_dir
    if not target:
        return None
    site_url = project.site_url
    if site_url and target.startswith(site_url):
        return "KB203", (f"站内链接“{target}”写成了完整网址。请改为相对的 .md 路径，例如 "
                         f"`{_suggest_md(rel, target[len(site_url):], docs) or '../privacy/find-owner-contact.md'}`："
                         "网址会变，相对路径由构建检查。")
    if target.startswith("//") or _SCHEME.match(target):
        return None
    path, _, fragment = target.partition("#")
    path, fragment = unquote(path.split("?", 1)[0]), unquote(fragment)
    if path.startswith("/"):
        return "KB203", (f"站内链接“{target}”以 / 开头，在网站的子路径下会失效。请改为相对的 .md 路径，"
                         f"例如 `{_suggest_md(rel, path.lstrip('/'), docs) or '../index.md'}`。")
    if not path:
        return _anchor_problem(rel, rel, target, fragment, anchors, show)
    resolved = resolve_link(rel, path)
    if resolved is None:
        return "KB201", f"链接“{target}”指向 docs/ 目录以外。只能链接本站的页面和文件。"
    if path.endswith(".md"):
        if not (docs / resolved).is_file():
            hint = _closest(rel, resolved, library)
            return "KB201", f"链接的页面“{path}”不存在（找不到 {show(resolved)}）。" + hint
        return _anchor_problem(rel, resolved, target, fragment, anchors, show) if fragment else None
    if (docs / resolved).is_file():
        return None
    suggestion = _suggest_md(rel, resolved, docs)
    if suggestion:
        return "KB203", f"站内链接“{target}”请写成 .md 文件的相对路径：`{suggestion}`。"
    return "KB201", f"链接的文件“{path}”不存在（找不到 {show(resolved)}）。"


def _anchor_problem(rel, resolved, target, fragment, anchors: AnchorIndex, show):
    if not fragment:
        return None
    ids = anchors.ids(resolved)
    if ids is None or fragment in ids:
        return None
    where = "本页" if resolved == rel else f" {show(resolved)} "
    message = f"链接“{target}”中的锚点“#{fragment}”在{where}中不存在。"
    ranked = nearest_anchors(fragment, ids)
    if not ranked:
        return "KB202", message + "该页面没有可链接的标题：请删掉 `#` 和后面的部分。"
    fixed = target[:len(target) - len(target.partition("#")[2])] + ranked[0]
    message += f"最接近的锚点是“#{ranked[0]}”，请改为 `{fixed}`。"
    if len(ranked) > 1:
        message += f"其他锚点：{'、'.join('#' + i for i in ranked[1:5])}。"
    return "KB202", message


def nearest_anchors(fragment: str, ids) -> list[str]:
    """Anchors from the most to the least like `fragment`. Containing one another counts a little
    extra: `#第一千零三十四条-什么是个人信息` is nearer `#第一千零三十四条` than `#第一千零三十七条`."""
    def score(anchor: str) -> tuple[float, str]:
        similarity = difflib.SequenceMatcher(None, fragment, anchor).ratio()
        return (-(similarity + (0.05 if anchor in fragment or fragment in anchor else 0.0)), anchor)

    return sorted(ids, key=score)


def _suggest_md(rel: str, url_path: str, docs: Path) -> str | None:
    """The .md file behind a directory-style URL path, written relative to the linking page."""
    stem = url_path.split("#", 1)[0].strip("/")
    fragment = "#" + url_path.split("#", 1)[1] if "#" in url_path else ""
    candidates = [stem] if stem.endswith(".md") else [f"{stem}.md", f"{stem}/index.md"] if stem else ["index.md"]
    for candidate in candidates:
        if (docs / candidate).is_file():
            return posixpath.relpath(candidate, posixpath.dirname(rel) or ".") + fragment
    return None


def _closest(rel: str, resolved: str, library: Library) -> str:
    """A page whose file name looks like the missing one (a typo, or a page in another folder)."""
    names: dict[str, list[str]] = {}
    for path in sorted(library.pages):
        names.setdefault(posixpath.basename(path), []).append(path)
    close = difflib.get_close_matches(posixpath.basename(resolved), [n for n in names if n != "index.md"], n=1, cutoff=0.7)
    if not close:
        return ""
    return f"是不是 `{posixpath.relpath(names[close[0]][0], posixpath.dirname(rel) or '.')}`？"
