"""The one page loader: every reader of docs/ (site hooks, index, checks) goes through here.

A page is a Markdown file with YAML front matter. Two kinds exist:

* question pages, `docs/<category>/<slug>.md`: the knowledge base proper, with a strict schema;
* other pages (home, category indexes, about, references): only `title` is required.

A category is a folder under docs/ with an `index.md` whose `title` is the category's name.
The front-matter schema is kb_tools.frontmatter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools.errors import FileRefused, KbError, PageError, os_reason
from kb_tools.frontmatter import (OPTIONAL_QUESTION_FIELDS, OTHER_FIELDS, QUESTION_FIELDS, FieldReader, Source, parse_yaml,
                                  split_front_matter)

# What docs/ may hold: pages and plain images, under lower-case hyphenated names, nothing else.
PAGE_SUFFIX = ".md"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MAX_PAGE_BYTES = 100_000  # about 30,000 Chinese characters: ten times our longest page
MAX_IMAGE_BYTES = 500_000  # readers are on phones, often on slow connections
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Page:
    path: str  # relative to docs/, POSIX separators
    kind: str  # "question" or "page"
    title: str
    body: str
    body_line: int  # 1-based line of the first body line in the file
    meta: dict = field(repr=False)
    digest: str = ""  # of the file's bytes, when read from a file
    key_lines: dict = field(repr=False, default_factory=dict)
    category: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    reviewed: dt.date | None = None
    status: str | None = None
    sources: tuple[Source, ...] = ()
    related: tuple[str, ...] = ()
    review_note: str | None = None
    order: int | None = None
    description: str | None = None

    @property
    def source(self) -> Source | None:
        """The published article the page is curated from (the first source with sections)."""
        return next((s for s in self.sources if s.sections), None)

    @property
    def category_dir(self) -> str | None:
        return self.path.split("/", 1)[0] if "/" in self.path else None

    @property
    def searchable(self) -> bool:
        return is_searchable(self.path)

    def line_of(self, key: str) -> int:
        """File line of a front-matter key (the opening `---` when the key is absent)."""
        return self.key_lines.get(key, 1)


def is_searchable(rel: str) -> bool:
    """Navigation pages (home, category indexes, the tag index) list answers; they are not answers."""
    return not (rel == "index.md" or rel.endswith("/index.md") or rel == "tags.md")


# MkDocs reads leading `key: value` lines of a page without `---` as metadata (MultiMarkdown style)
# and hands them to the theme unchecked: a page must not start like that.
_MULTIMARKDOWN_META = re.compile(r"\A[ ]{0,3}[A-Za-z0-9_-]+:")


def parse_page(text: str, rel: str) -> Page:
    """Parse and validate one page's text; `rel` is its path relative to docs/."""
    yaml_text, body, body_line = split_front_matter(text)
    if body_line == 1 and _MULTIMARKDOWN_META.match(text):
        raise PageError("页面的第一行是 `名称: 值` 的形式，网站会把它当作页面信息，而不检查。页面信息请写在两行 `---` 之间"
                        "（见 CONTRIBUTING.md 的“页面信息”）；如果这是正文，请换一种开头。", path=rel, line=1)
    meta, key_lines = parse_yaml(yaml_text, rel) if yaml_text else ({}, {})
    reader = FieldReader(rel, meta, key_lines)
    parts = rel.split("/")
    is_question = len(parts) == 2 and parts[1] != "index.md" and not rel.startswith(("assets/", "law/"))
    if not is_question:
        unknown = sorted(set(meta) - set(OTHER_FIELDS), key=str)
        if unknown:
            raise reader.fail(unknown[0], f"未知字段 `{unknown[0]}`。这类页面允许的字段：{'、'.join(OTHER_FIELDS)}。")
        if "status" in meta:
            reader.status()
        if "examples" in meta:
            if rel != "index.md":
                raise reader.fail("examples", "只有网站首页（docs/index.md）可以写 `examples`：首页搜索框下面的示例问题。")
            for example in reader.text_list("examples"):
                reader.no_markup("examples", example)
        title = reader.text("title", required=False)
        if title is None:
            heading = _first_heading(body)
            title, line = (heading[0], body_line + heading[1] - 1) if heading else (parts[-1][:-3], 1)
            reader.no_markup("title", title, line=line)
        return Page(path=rel, kind="page", title=title, body=body, body_line=body_line, meta=meta,
                    key_lines=key_lines, order=reader.integer("order"), sources=reader.sources(),
                    description=reader.text("description", required=False))
    # key=str: YAML keys may be null, numbers or dates (`null: x`), which do not sort with text.
    unknown = sorted(set(meta) - set(QUESTION_FIELDS) - set(OPTIONAL_QUESTION_FIELDS), key=str)
    if unknown:
        raise reader.fail(unknown[0], f"未知字段 `{unknown[0]}`。允许的字段：{'、'.join(QUESTION_FIELDS + OPTIONAL_QUESTION_FIELDS)}。")
    status = reader.status()
    return Page(
        path=rel,
        kind="question",
        title=reader.text("title"),
        body=body,
        body_line=body_line,
        meta=meta,
        key_lines=key_lines,
        category=reader.text("category"),
        tags=reader.tags(),
        aliases=reader.text_list("aliases"),
        reviewed=reader.date("reviewed"),
        status=status,
        sources=reader.sources(),
        related=reader.related(),
        review_note=reader.text("review_note", required=False),
        order=reader.integer("order"),
        description=reader.text("description", required=False),
    )


_ATX_H1 = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_SETEXT_H1 = re.compile(r"^(?![ \t]*$)(.+?)[ \t]*\r?\n[ ]{0,3}=+[ \t]*$", re.M)


def _first_heading(body: str) -> tuple[str, int] | None:
    """The first level-1 heading (`# 标题`, or a line underlined with `===`) and its body line."""
    # A heading of only spaces or a stray \r ("# \r\n") names nothing: the file name does.
    firsts = (next((m for m in pattern.finditer(body) if m.group(1).strip()), None) for pattern in (_ATX_H1, _SETEXT_H1))
    found = [m for m in firsts if m]
    if not found:
        return None
    match = min(found, key=lambda m: m.start())
    return match.group(1).strip(), body.count("\n", 0, match.start()) + 1


def read_page(docs_dir: Path, rel: str) -> Page:
    path = docs_dir / rel
    try:
        if path.is_symlink():
            raise FileRefused(_SYMLINK, path=rel)
        raw = path.read_bytes()
    except OSError as err:
        raise PageError(f"无法读取文件：{os_reason(err, reading=True)}。", path=rel) from None
    if len(raw) > MAX_PAGE_BYTES:
        raise FileRefused(_too_large(len(raw), MAX_PAGE_BYTES, "页面"), path=rel, rule="KB111")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise PageError("文件不是 UTF-8 编码。请用 UTF-8 重新保存（GitHub 网页编辑器默认即是）。", path=rel, line=line) from None
    if "\x00" in text:
        raise PageError("文件含有 NUL 字符，可能不是文本文件。", path=rel, line=text.count("\n", 0, text.index("\x00")) + 1)
    return dataclasses.replace(parse_page(text.lstrip("\ufeff"), rel), digest=file_digest(raw))


def file_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:20]


_SYMLINK = ("这是一个符号链接（symlink）。docs/ 里只能放真正的文件：链接可能把仓库以外的文件（甚至密钥）发布出去。"
            "请删除链接，把内容复制成普通文件。")


def _too_large(size: int, limit: int, what: str) -> str:
    return (f"{what}有 {size / 1000:,.0f} KB，超过了 {limit // 1000} KB 的上限。读者多用手机、网络常常很慢："
            f"请把{what}拆小" + ("（长页面拆成几个问题页）。" if what == "页面" else "（压缩图片，或缩小尺寸）。"))


@dataclass
class DocsScan:
    """What docs/ holds: the pages that may be read, and the files that may not be there at all."""

    pages: list[str]  # relative .md paths, sorted
    problems: list[FileRefused]  # one per refused file or folder, in path order


def scan_docs(docs_dir: Path) -> DocsScan:
    """Walk docs/ without following links: only pages and plain images, under lower-case,
    hyphenated names, within their size limits. Everything else is a problem naming the file."""
    pages: list[str] = []
    problems: list[FileRefused] = []
    for folder, dirs, files in os.walk(docs_dir, followlinks=False):
        base = Path(folder).relative_to(docs_dir)
        for name in sorted(dirs):
            rel = (base / name).as_posix()
            if (Path(folder) / name).is_symlink():
                problems.append(FileRefused(_SYMLINK, path=rel))
                dirs.remove(name)
            elif not _NAME.fullmatch(name):
                problems.append(FileRefused(_bad_name(name, "目录"), path=rel))
                dirs.remove(name)
        for name in files:
            path, rel = Path(folder) / name, (base / name).as_posix()
            stem, dot, suffix = name.rpartition(".")
            suffix = dot + suffix.lower()
            if path.is_symlink():
                problems.append(FileRefused(_SYMLINK, path=rel))
            elif suffix not in (PAGE_SUFFIX, *IMAGE_SUFFIXES) or not path.is_file():
                problems.append(FileRefused(
                    f"docs/ 里不能放这种文件（{suffix or '没有扩展名'}）。只能放 .md 页面和图片（"
                    f"{'、'.join(IMAGE_SUFFIXES)}）；HTML、SVG、脚本和样式表会原样发布给读者，因此不接受。", path=rel))
            elif not _NAME.fullmatch(stem) or dot + name.rpartition(".")[2] != suffix:
                problems.append(FileRefused(_bad_name(name, "文件"), path=rel))
            elif suffix in IMAGE_SUFFIXES and path.stat().st_size > MAX_IMAGE_BYTES:
                problems.append(FileRefused(_too_large(path.stat().st_size, MAX_IMAGE_BYTES, "图片"), path=rel, rule="KB111"))
            elif suffix == PAGE_SUFFIX:
                pages.append(rel)
    problems.sort(key=lambda e: e.path or "")
    return DocsScan(sorted(pages), problems)


def _bad_name(name: str, what: str) -> str:
    return (f"{what}名“{name}”不符合规则：只能用小写英文字母、数字和连字符（-），例如 water-outage.md。"
            "文件名会成为网址的一部分，也会显示在网站上。")


def page_paths(docs_dir: Path) -> list[str]:
    """The pages under docs/ that may be read, relative and sorted (refused files left out)."""
    return scan_docs(docs_dir).pages


@dataclass
class Library:
    """Every page of the site, validated together (categories and related links cross-checked)."""

    docs_dir: Path
    pages: dict[str, Page]

    @property
    def questions(self) -> list[Page]:
        return [p for p in self.pages.values() if p.kind == "question"]

    @property
    def categories(self) -> dict[str, Page]:
        """Category folder -> its index page."""
        dirs = {p.category_dir for p in self.questions}
        return {d: self.pages[f"{d}/index.md"] for d in sorted(dirs) if f"{d}/index.md" in self.pages}

    def find(self, wanted: str, site_url: str) -> Page:
        """The page a user means: its path (with or without docs/ and .md), its URL, its title or
        one of its other phrasings, or the one title containing `wanted`."""
        key = wanted.removeprefix("docs/")
        if key.startswith(site_url) and site_url:
            key = key[len(site_url):]
        key = key.strip("/")
        candidates = [key, key + ".md", key + "/index.md"] if key else ["index.md"]
        for candidate in candidates:
            if candidate in self.pages:
                return self.pages[candidate]
        named = [p for p in self.pages.values() if key and p.path.rsplit("/", 1)[-1] == key.removesuffix(".md") + ".md"]
        if len(named) == 1:  # a file name (soaked-floor), without its folder
            return named[0]
        exact = [p for p in self.pages.values() if p.title == wanted or wanted in p.aliases]
        if len(exact) == 1:
            return exact[0]
        partial = [p for p in self.pages.values() if wanted and wanted in p.title]
        if len(partial) == 1:
            return partial[0]
        if partial:
            names = "\n".join(f"  {p.path}  {p.title}" for p in partial)
            raise KbError(f"“{wanted}”对应多个页面，请给出路径：\n{names}")
        raise KbError(f"找不到页面“{wanted}”。请给出 docs/ 下的路径，或先用 `kb search {wanted}` 查找。")


def load_library(docs_dir: Path, paths: list[str] | None = None) -> Library:
    """Load and validate pages; raises PageError on the first invalid page, in path order."""
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise PageError(f"找不到页面目录 {docs_dir}。")
    if paths is None:
        scan = scan_docs(docs_dir)
        if scan.problems:
            raise scan.problems[0]
        rels = scan.pages
    else:
        rels = sorted(paths)
    library = Library(docs_dir, {rel: read_page(docs_dir, rel) for rel in rels})
    for page in library.questions:
        check_cross_references(library, page)
    return library


def check_cross_references(library: Library, page: Page) -> None:
    index = library.pages.get(f"{page.category_dir}/index.md")
    if index is None and (library.docs_dir / f"{page.category_dir}/index.md").is_file():
        index = read_page(library.docs_dir, f"{page.category_dir}/index.md")
    if index is None:
        raise PageError(
            f"分类目录 `{page.category_dir}/` 缺少 index.md。新建分类时请同时创建 `{page.category_dir}/index.md`，"
            "其 title 即分类名称。",
            path=page.path, line=page.line_of("category"))
    if page.category != index.title:
        raise PageError(
            f"`category: {page.category}` 与所在目录的分类“{index.title}”不一致。请改为 `category: {index.title}`，"
            "或把文件移到对应分类的目录。",
            path=page.path, line=page.line_of("category"))
    for target in page.related:
        resolved = resolve_link(page.path, target)
        if resolved is None or not (library.docs_dir / resolved).is_file():
            raise PageError(f"`related` 中的 `{target}` 不是存在的页面。请写相对路径，例如 `../privacy/find-owner-contact.md`。",
                            path=page.path, line=page.line_of("related"))


def resolve_link(from_rel: str, target: str) -> str | None:
    """Resolve a relative .md link from one page to a docs-relative path (None when outside docs/)."""
    target = target.split("#", 1)[0]
    parts = from_rel.split("/")[:-1]
    for piece in target.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)
