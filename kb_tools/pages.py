"""The one page loader: every reader of docs/ (site hooks, index, checks) goes through here.

A page is a Markdown file with YAML front matter. Two kinds exist:

* question pages, `docs/<category>/<slug>.md`: the knowledge base proper, with a strict schema;
* other pages (home, category indexes, about, references): only `title` is required.

A category is a folder under docs/ with an `index.md` whose `title` is the category's name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb_tools.errors import FileRefused, PageError

STATUSES = {"published": "已发布", "needs-review": "待审核"}
QUESTION_FIELDS = ("title", "category", "tags", "aliases", "reviewed", "status")
OPTIONAL_QUESTION_FIELDS = ("source", "related", "review_note", "order", "description")
OTHER_FIELDS = ("title", "description", "order", "source", "sources", "reviewed", "review_note", "status")
SHOWN_AS_HTML = ("title", "tags", "description")
# The theme prints these texts into HTML unescaped, and into <title> through `striptags`, which
# turns entities back into tags: none of these characters may reach it.
_MARKUP = {"<": "全角的“＜”", ">": "全角的“＞”", "&": "“和”", '"': "中文引号“”"}
# What docs/ may hold: pages and plain images, under lower-case hyphenated names, nothing else.
PAGE_SUFFIX = ".md"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MAX_PAGE_BYTES = 100_000  # about 30,000 Chinese characters: ten times our longest page
MAX_IMAGE_BYTES = 500_000  # readers are on phones, often on slow connections
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A `related:` entry: a relative .md path, with an optional anchor; pasted into a link, so plain.
_RELATED = re.compile(r"(?:\.\./|\./)*[a-z0-9][a-z0-9-]*(?:/[a-z0-9][a-z0-9-]*)*\.md(?:#[^\s<>\"'&()\[\]\\`]+)?")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Source:
    title: str
    date: dt.date
    sections: tuple[int, ...]


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
    source: Source | None = None
    related: tuple[str, ...] = ()
    review_note: str | None = None
    order: int | None = None
    description: str | None = None

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


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (yaml_text, body, body_line). A page without front matter has empty yaml_text."""
    match = FRONT_MATTER.match(text)
    if not match:
        return "", text, 1
    body_line = text.count("\n", 0, match.end()) + 1
    return match.group(1) or "", text[match.end():], body_line


@lru_cache(maxsize=1)
def _loader():
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ~10x faster on 10k pages
        """SafeLoader that keeps an impossible date (2026-13-40) as text for the schema to report."""

        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:
                return self.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    return Loader


def _parse_yaml(yaml_text: str, rel: str) -> tuple[dict, dict]:
    import yaml

    try:
        loader = _loader()(yaml_text)  # one parse: the node gives key lines, the data its values
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeEncodeError as err:  # a lone surrogate: not text a file can hold
        line = yaml_text.count("\n", 0, err.start) + 2
        raise PageError("front matter 含有无法保存为 UTF-8 的字符，请删除后重新输入。", path=rel, line=line) from None
    except yaml.YAMLError as err:
        from kb_tools.yaml_errors import explain

        found = explain(err, yaml_text)
        line = found.line + 1  # the opening --- comes first
        raise PageError(f"front matter 格式有误（第 {line} 行第 {found.column} 列）：{found.message}",
                        path=rel, line=line) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise PageError("front matter 必须是`键: 值`的形式。", path=rel, line=2)
    key_lines = {k.value: k.start_mark.line + 2 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return data, key_lines


class _Reader:
    """Validates one page's front matter, collecting the line of each problem."""

    def __init__(self, rel: str, meta: dict, key_lines: dict):
        self.rel, self.meta, self.key_lines = rel, meta, key_lines

    def fail(self, key: str, message: str) -> PageError:
        return PageError(message, path=self.rel, line=self.key_lines.get(key, 1))

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.meta.get(key)
        if value is None:
            if required:
                raise self.fail(key, f"缺少必填字段 `{key}`。请在 front matter 中添加，例如 `{key}: …`。")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"字段 `{key}` 必须是非空文字。")
        self.plain(key, value)
        self.no_markup(key, value)
        return value.strip()

    def plain(self, key: str, value: str) -> None:
        if _CONTROL.search(value):
            raise self.fail(key, f"字段 `{key}` 中有看不见的控制字符（U+{ord(_CONTROL.search(value).group()):04X}），"
                                 "它会扰乱终端和网页的显示。请删除后重新输入这段文字。")

    def no_markup(self, key: str, value: str, *, line: int | None = None) -> None:
        """The theme prints titles, tags and the description into the HTML unescaped (navigation,
        <title>, headings, tag chips, a meta attribute): markup there would run in the reader's
        browser. A title taken from the first heading is held to the same rule, at its line."""
        if key not in SHOWN_AS_HTML:
            return
        what = f"字段 `{key}` " if line is None else "用作页面标题的第一个标题"
        char = next((c for c in value if c in _MARKUP), None)
        if char is not None:
            raise PageError(f"{what}中的 `{char}` 会被网站当作网页代码，可能在读者的浏览器里运行脚本。"
                            f"请删除，或改用{_MARKUP[char]}。", path=self.rel, line=line or self.key_lines.get(key, 1))

    def text_list(self, key: str, *, required: bool = True, min_items: int = 1) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            if required:
                raise self.fail(key, f"缺少必填字段 `{key}`。请写成列表，例如 `{key}: [甲, 乙]`。")
            return ()
        if isinstance(value, str):
            raise self.fail(key, f"字段 `{key}` 必须是列表，例如 `{key}: [{value}]`。")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, f"字段 `{key}` 必须是由非空文字组成的列表。")
        if len(value) < min_items:
            raise self.fail(key, f"字段 `{key}` 至少需要 {min_items} 项。")
        for item in value:
            self.plain(key, item)
        return tuple(v.strip() for v in value)

    def tags(self) -> tuple[str, ...]:
        tags = self.text_list("tags")
        for tag in tags:
            self.no_markup("tags", tag)
            if re.search(r"[\s,，、;；]", tag):
                raise self.fail("tags", f"标签“{tag}”里有空格或逗号。每个标签单独写，用英文逗号分隔，例如 `tags: [停水, 赔偿]`。")
        return tags

    def status(self) -> str:
        status = self.text("status")
        if status not in STATUSES:
            raise self.fail("status", f"字段 `status` 只能是 {' 或 '.join(STATUSES)}（当前为 `{status}`）。")
        return status

    def related(self) -> tuple[str, ...]:
        related = self.text_list("related", required=False)
        for target in related:
            if not _RELATED.fullmatch(target):
                raise self.fail("related", f"`related` 中的“{target}”不是页面的相对路径。请写成 "
                                           "`../privacy/find-owner-contact.md` 的形式（可以带 `#锚点`，不能有空格、引号或尖括号）。")
        return related

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        value = self.meta.get(key)
        if value is None and not required:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise self.fail(key, f"字段 `{key}` 必须是日期，格式为 YYYY-MM-DD，例如 `{key}: 2026-11-26`。")
        return value

    def integer(self, key: str) -> int | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"字段 `{key}` 必须是整数。")
        return value

    def source(self) -> Source | None:
        value = self.meta.get("source")
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail("source", "字段 `source` 必须包含 `title`、`date` 和 `sections`。")
        title = value.get("title")
        if not isinstance(title, str) or not title.strip():
            raise self.fail("source", "`source.title` 必须是来源文章的标题。")
        date = value.get("date")
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date):
            raise self.fail("source", "`source.date` 必须是日期，格式为 YYYY-MM-DD。")
        sections = value.get("sections")
        if (
            not isinstance(sections, list)
            or not sections
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sections)
        ):
            raise self.fail("source", "`source.sections` 必须是正整数列表：来源文章的第几节（一、二、三 … 写作 1, 2, 3 …）。")
        return Source(title.strip(), date, tuple(sections))


# MkDocs reads leading `key: value` lines of a page without `---` as metadata (MultiMarkdown style)
# and hands them to the theme unchecked: a page must not start like that.
_MULTIMARKDOWN_META = re.compile(r"\A[ ]{0,3}[A-Za-z0-9_-]+:")


def parse_page(text: str, rel: str) -> Page:
    """Parse and validate one page's text; `rel` is its path relative to docs/."""
    yaml_text, body, body_line = split_front_matter(text)
    if body_line == 1 and _MULTIMARKDOWN_META.match(text):
        raise PageError("页面的第一行是 `名称: 值` 的形式，网站会把它当作页面信息，而不检查。页面信息请写在两行 `---` 之间"
                        "（见 CONTRIBUTING.md 的“页面信息”）；如果这是正文，请换一种开头。", path=rel, line=1)
    meta, key_lines = _parse_yaml(yaml_text, rel) if yaml_text else ({}, {})
    reader = _Reader(rel, meta, key_lines)
    parts = rel.split("/")
    is_question = len(parts) == 2 and parts[1] != "index.md" and not rel.startswith(("assets/", "law/"))
    if not is_question:
        unknown = sorted(set(meta) - set(OTHER_FIELDS), key=str)
        if unknown:
            raise reader.fail(unknown[0], f"未知字段 `{unknown[0]}`。这类页面允许的字段：{'、'.join(OTHER_FIELDS)}。")
        if "status" in meta:
            reader.status()
        title = reader.text("title", required=False)
        if title is None:
            heading = _first_heading(body)
            title, line = (heading[0], body_line + heading[1] - 1) if heading else (parts[-1][:-3], 1)
            reader.no_markup("title", title, line=line)
        return Page(path=rel, kind="page", title=title, body=body, body_line=body_line, meta=meta,
                    key_lines=key_lines, order=reader.integer("order"),
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
        source=reader.source(),
        related=reader.related(),
        review_note=reader.text("review_note", required=False),
        order=reader.integer("order"),
        description=reader.text("description", required=False),
    )


_ATX_H1 = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_SETEXT_H1 = re.compile(r"^(?![ \t]*$)(.+?)[ \t]*\r?\n[ ]{0,3}=+[ \t]*$", re.M)


def _first_heading(body: str) -> tuple[str, int] | None:
    """The first level-1 heading (`# 标题`, or a line underlined with `===`) and its body line."""
    found = [m for m in (_ATX_H1.search(body), _SETEXT_H1.search(body)) if m]
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
        raise PageError(f"无法读取文件：{err.strerror}。", path=rel) from None
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
