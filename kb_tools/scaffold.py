"""`kb new`: a new question page with valid front matter, in its category's folder.

Choices (documented in CONTRIBUTING.md):

* the file name is an ASCII slug the editor gives (`--slug` or asked): Chinese titles have no
  reliable automatic spelling in Latin letters, and a URL chosen by a person stays meaningful;
* `status: needs-review` with `reviewed` = today: the site shows the page with a "待审核" notice
  until the reviewing editor sets `status: published`;
* the body is a template whose placeholders (待填写) `kb check` reports as warnings (KB109);
* the page is added to the question list of its category's index.md, when that page has one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from kb_tools import categories as kb_categories
from kb_tools import clock, redirects
from kb_tools.checks.metadata import PLACEHOLDER, normalized
from kb_tools.checks.typography import fix_text
from kb_tools.errors import KbError, os_reason
from kb_tools.pages import Library, load_library
from kb_tools.project import Project

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 60
REVIEW_NOTE = "新建页面，内容尚待编辑审核。"
TAG_SEPARATORS = re.compile(r"[\s,，、;；]+")
_LINK_ITEM = re.compile(r"^[-*]\s+\[.*\]\((?![a-z]+:)[^/()]+\.md\)\s*$")


class ScaffoldError(KbError):
    """The new page cannot be created as asked."""

    exit_code = 2


@dataclass(frozen=True)
class Created:
    path: Path
    rel: str  # relative to docs/
    title: str
    index_updated: Path | None


def categories(library: Library) -> dict[str, str]:
    """Category folder -> category name, in the site's order."""
    ordered = sorted(library.categories.items(), key=lambda item: (item[1].order if item[1].order is not None else 50,
                                                                   item[0]))
    return {folder: index.title for folder, index in ordered}


def resolve_category(library: Library, value: str) -> str:
    return kb_categories.resolve(categories(library), value.strip(), ScaffoldError)


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("标题不能为空。请用一句完整的问题作标题，例如“停电了，物业要提前通知吗？”。")
    title = fix_text(title)
    if title[-1] not in "？！。":
        title += "？"
    return title


def split_tags(values: list[str]) -> list[str]:
    tags: list[str] = []
    for value in values:
        tags += [t for t in TAG_SEPARATORS.split(value) if t]
    tags = list(dict.fromkeys(fix_text(t) for t in tags))
    if not tags:
        raise ScaffoldError("至少需要一个标签。标签是几个字的关键词，例如 停水、赔偿。")
    return tags


def clean_aliases(values: list[str], title: str) -> list[str]:
    aliases = []
    for value in values:
        alias = fix_text(" ".join(value.split()))
        if alias and normalized(alias) != normalized(title) and alias not in aliases:
            aliases.append(alias)
    if not aliases:
        raise ScaffoldError("至少需要一个“其他问法”：业主可能怎样问同一个问题，例如“停电前物业会通知吗”。")
    return aliases


def check_slug(project: Project, folder: str, slug: str) -> str:
    slug = slug.strip()
    if slug.endswith(".md"):
        slug = slug[:-3]
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        raise ScaffoldError(f"文件名“{slug}”不符合要求：只能用小写英文字母、数字和连字符（-），"
                            f"不超过 {MAX_SLUG} 个字符，例如 power-outage。")
    if slug == "index":
        raise ScaffoldError("文件名不能是 index：index.md 是分类的首页。请换一个文件名。")
    rel = f"{folder}/{slug}.md"
    if (project.docs_dir / rel).exists():
        raise ScaffoldError(f"文件 docs/{rel} 已经存在。请换一个文件名，或直接编辑那个页面。")
    for redirect in redirects.load_redirects(project.root, project.docs_dir).entries:
        if redirect.old == rel:
            raise ScaffoldError(f"docs/{rel} 以前用过，现在重定向到 {redirect.new}（{redirects.REDIRECTS_FILE} "
                                f"第 {redirect.line} 行）。请换一个文件名。")
    return slug


def yaml_scalar(text: str) -> str:
    import yaml

    dumped = yaml.safe_dump(text, allow_unicode=True, width=10**9)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


def page_text(title: str, category: str, tags: list[str], aliases: list[str], today: dt.date) -> str:
    import yaml

    flow_tags = yaml.safe_dump(tags, allow_unicode=True, default_flow_style=True, width=10**9).strip()
    lines = ["---", f"title: {yaml_scalar(title)}", f"category: {yaml_scalar(category)}", f"tags: {flow_tags}",
             "aliases:", *(f"  - {yaml_scalar(a)}" for a in aliases),
             f"reviewed: {today.isoformat()}", "status: needs-review", f"review_note: {REVIEW_NOTE}", "---", "", ""]
    body = f"""\
## 简要回答

{PLACEHOLDER}：用一两句话直接回答“{title}”。

## 处理步骤

1. {PLACEHOLDER}：第一步做什么。
2. {PLACEHOLDER}：第二步做什么。

!!! tip "给物业员工"
    {PLACEHOLDER}：物业员工遇到这个问题时应该怎样做；用不上就删掉这一段。
"""
    return "\n".join(lines) + body


def create_page(project: Project, *, title: str, category: str, tags: list[str], aliases: list[str], slug: str,
                today: dt.date | None = None) -> Created:
    library = load_library(project.docs_dir)
    folder = resolve_category(library, category)
    title = clean_title(title)
    for page in library.pages.values():
        if normalized(page.title) == normalized(title):
            raise ScaffoldError(f"已有页面使用这个标题：docs/{page.path}。请直接编辑那个页面，或把标题写得更具体。")
    tags = split_tags(tags)
    aliases = clean_aliases(aliases, title)
    slug = check_slug(project, folder, slug)
    rel = f"{folder}/{slug}.md"
    path = project.docs_dir / rel
    text = page_text(title, categories(library)[folder], tags, aliases, today or clock.today())
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        raise ScaffoldError(f"文件 docs/{rel} 已经存在。请换一个文件名，或直接编辑那个页面。") from None
    except OSError as err:
        raise KbError(f"无法创建文件 docs/{rel}：{os_reason(err)}。请检查目录权限。") from None
    try:
        index = add_to_index(project.docs_dir / folder / "index.md", title, f"{slug}.md")
    except OSError as err:
        raise KbError(f"页面已创建，但无法把链接加入 docs/{folder}/index.md：{os_reason(err)}。请手工加入。") from None
    return Created(path, rel, title, index)


def ask_missing(project: Project, library: Library, *, category: str | None, tags: list[str], aliases: list[str],
                slug: str | None, ask, tell) -> tuple[str, list[str], list[str], str]:
    """Ask in the terminal for what the flags did not give. `ask(prompt)` returns the answer
    (EOFError when the input ends); `tell(text)` shows a line. Invalid answers are asked again."""
    if category:
        folder = resolve_category(library, category)
    else:
        choices = list(categories(library).items())
        tell("分类：")
        for number, (key, name) in enumerate(choices, 1):
            tell(f"  {number}. {name}（{key}）")

        def pick():
            answer = ask("请选择分类（输入编号或名称）：").strip()
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                return choices[int(answer) - 1][0]
            return resolve_category(library, answer)

        folder = _retry(pick, tell)
    if not tags:
        existing = sorted({t for p in library.questions if p.category_dir == folder for t in p.tags})
        if existing:
            tell("本分类已有的标签：" + "、".join(existing))
        tags = _retry(lambda: split_tags([ask("标签（至少一个，用空格或顿号分隔）：")]), tell)
    if not aliases:
        tell("其他问法：业主可能怎样问同一个问题，每行一个，输入空行结束。")
        while True:
            answer = ask(f"其他问法 {len(aliases) + 1}：").strip()
            if answer:
                aliases.append(answer)
            elif aliases:
                break
            else:
                tell("至少需要一个其他问法。")
    if not slug:
        slug = _retry(lambda: check_slug(project, folder, ask("文件名（小写英文单词，用连字符连接，例如 power-outage）：")),
                      tell)
    return folder, tags, aliases, slug


def _retry(question, tell):
    while True:
        try:
            return question()
        except ScaffoldError as err:
            tell(str(err))


def _escape_link_text(text: str) -> str:
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def add_to_index(index: Path, title: str, target: str) -> Path | None:
    """Add `- [title](target)` after the last link item of the category page's list, if it has one."""
    raw = index.read_bytes().decode("utf-8")  # read_text() would turn CRLF into LF
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.splitlines()
    last = max((i for i, line in enumerate(lines) if _LINK_ITEM.match(line)), default=None)
    if last is None:
        return None
    marker = lines[last].split("[", 1)[0]
    lines.insert(last + 1, f"{marker}[{_escape_link_text(title)}]({target})")
    index.write_text(newline.join(lines) + newline, encoding="utf-8", newline="")
    return index
