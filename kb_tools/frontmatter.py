"""Front matter: the YAML block at the top of a page, parsed once and checked field by field.

The schema of pages lives here (which fields, of which kind, which values); the page loader
(kb_tools.pages) applies it. Every problem is a PageError naming the key's line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from kb_tools.errors import PageError
from kb_tools.markdown_text import CONTROL

STATUSES = {"published": "已发布", "needs-review": "待审核"}
QUESTION_FIELDS = ("title", "category", "tags", "aliases", "reviewed", "status")
OPTIONAL_QUESTION_FIELDS = ("source", "sources", "related", "review_note", "order", "description")
SOURCE_KEYS = {"title", "date", "sections", "articles"}
OTHER_FIELDS = ("title", "description", "order", "source", "sources", "reviewed", "review_note", "status", "examples")
SHOWN_AS_HTML = ("title", "tags", "description", "examples")
# The theme prints these texts into HTML unescaped, and into <title> through `striptags`, which
# turns entities back into tags: none of these characters may reach it.
_MARKUP = {"<": "全角的“＜”", ">": "全角的“＞”", "&": "“和”", '"': "中文引号“”"}
# A `related:` entry: a relative .md path, with an optional anchor; pasted into a link, so plain.
_RELATED = re.compile(r"(?:\.\./|\./)*[a-z0-9][a-z0-9-]*(?:/[a-z0-9][a-z0-9-]*)*\.md(?:#[^\s<>\"'&()\[\]\\`]+)?")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Source:
    """Where a page's content comes from: sections of a published article (`date`, `sections`),
    or articles of a law (`articles`, e.g. 第九百四十四条)."""

    title: str
    date: dt.date | None = None
    sections: tuple[int, ...] = ()
    articles: tuple[str, ...] = ()


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


def parse_yaml(yaml_text: str, rel: str) -> tuple[dict, dict]:
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


class FieldReader:
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
        if control := CONTROL.search(value):
            raise self.fail(key, f"字段 `{key}` 中有看不见的控制字符（U+{ord(control.group()):04X}），"
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

    def sources(self) -> tuple[Source, ...]:
        """`source` (one mapping) or `sources` (a list of them), never both."""
        if "source" in self.meta and "sources" in self.meta:
            raise self.fail("sources", "`source` 和 `sources` 只能写一个：有多个出处时，把它们都写进 `sources` 列表。")
        if self.meta.get("sources") is not None:
            items = self.meta["sources"]
            if not isinstance(items, list) or not items:
                raise self.fail("sources", "字段 `sources` 必须是列表，每一项是一个出处，例如 "
                                           "`sources: [{title: 中华人民共和国民法典, articles: [第九百四十四条]}]`。")
            return tuple(self.one_source("sources", item) for item in items)
        if self.meta.get("source") is not None:
            return (self.one_source("source", self.meta["source"]),)
        return ()

    def one_source(self, key: str, value) -> Source:
        if not isinstance(value, dict):
            raise self.fail(key, f"字段 `{key}` 必须包含 `title`，以及 `date` 和 `sections`（来源文章）"
                                 "或 `articles`（法律条文）。")
        unknown = sorted(set(value) - SOURCE_KEYS, key=str)
        if unknown:
            raise self.fail(key, f"`{key}` 中有未知字段 `{unknown[0]}`。允许的字段：title、date、sections、articles。")
        title = value.get("title")
        if not isinstance(title, str) or not title.strip():
            raise self.fail(key, f"`{key}.title` 必须是来源文章的标题或法律的名称。")
        if "articles" in value:
            if "sections" in value:
                raise self.fail(key, f"`{key}` 的一项不能同时有 `sections` 和 `articles`：来源文章和法律条文请分成两项。")
            return Source(title.strip(), articles=self.articles(key, value["articles"]))
        date = value.get("date")
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date):
            raise self.fail(key, f"`{key}.date` 必须是日期，格式为 YYYY-MM-DD。")
        sections = value.get("sections")
        if (
            not isinstance(sections, list)
            or not sections
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sections)
        ):
            raise self.fail(key, f"`{key}.sections` 必须是正整数列表：来源文章的第几节（一、二、三 … 写作 1, 2, 3 …）。")
        return Source(title.strip(), date, tuple(sections))

    def articles(self, key: str, value) -> tuple[str, ...]:
        from kb_tools.civil_code import ARTICLE, parse_numeral

        if not isinstance(value, list) or not value:
            raise self.fail(key, f"`{key}.articles` 必须是条号列表，例如 `articles: [第九百四十四条]`。")
        articles = []
        for item in value:
            text = item.strip() if isinstance(item, str) else ""
            match = ARTICLE.fullmatch(text)
            if not match or parse_numeral(match.group(1)) is None:
                raise self.fail(key, f"`{key}.articles` 中的“{item}”不是条号。请写成“第九百四十四条”这样的形式，一项一条。")
            articles.append(text)
        return tuple(articles)
