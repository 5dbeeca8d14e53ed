"""`kb import`: a raw article (plain text, Markdown or HTML) becomes draft question pages.

The phases, each a function a test can call: `read_article` (reading.py) → `clean` (chrome.py's
patterns) → `split` (questions.py) → `plan_import` (one draft per question, provenance from the
article) → `write_import` (new files only). Every line that does not end up in a page is in the
plan's `dropped` list with the reason, so an editor can check that nothing of value was lost."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools import clock
from kb_tools.importer import chrome
from kb_tools.importer.questions import Question, split
from kb_tools.importer.reading import Article, ArticleError, Block, escape_markdown, read_article
from kb_tools.project import Project

__all__ = ["ArticleError", "Draft", "Dropped", "ImportPlan", "clean", "plan_import", "read_article", "write_import"]

GENERIC_TAGS = {"物业", "业主", "物业公司", "物业管理", "物管", "小区"}
FALLBACK_TAG = "待整理"
MAX_TAGS = 3
_INTERROGATIVES = re.compile(r"怎么样|怎样|怎么|如何|为什么|为何|什么|是否|能否|可否|有没有|吗|么|呢|吧")
_TRAILING_MARKS = "？?！!。.…"
_LIST_ITEM = re.compile(r"^(\d{1,3})\s*[.．、]\s*(.+)$")
MIN_DUPLICATE = 8  # characters: shorter lines repeat by chance
SHOWN = 30  # characters of a dropped line shown in the report


@dataclass(frozen=True)
class Dropped:
    where: str
    text: str
    reason: str

    @property
    def position(self) -> int:
        """Order in the article: `where` is "第 N 行" or "第 N 段"."""
        digits = re.search(r"\d+", self.where)
        return int(digits.group()) if digits else 0

    def __str__(self) -> str:
        text = self.text if len(self.text) <= SHOWN else self.text[:SHOWN] + "…"
        return f"{self.where}：“{text}”——{self.reason}"


@dataclass(frozen=True)
class Draft:
    rel: str  # relative to docs/
    number: int  # the article's section
    title: str
    text: str  # the whole page file


@dataclass
class ImportPlan:
    article: str  # file name
    layout: str
    title: str
    date: dt.date
    category: str  # folder
    found: int = 0  # questions found in the article
    drafts: list[Draft] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- clean ------------------------------------------------------------------------------------

def clean(article: Article) -> tuple[list[Block], list[Dropped], dt.date | None]:
    """Article blocks without chrome; what was dropped; the date a publication line states."""
    dropped = [Dropped(where, text, reason) for where, text, reason in article.dropped]
    kept: list[Block] = []
    stated: dt.date | None = None
    comments = False
    for block in article.blocks:
        if not comments and chrome.starts_comments(block.text):
            comments = True
        if comments:
            dropped.append(Dropped(block.where, block.text, "评论区（从评论区的标题起到文末）"))
            continue
        reason = chrome.reason(block.text)
        if reason is None:
            kept.append(block)
            continue
        if reason.startswith("发布信息") and stated is None:
            stated = chrome.find_date(block.text)
            if stated:
                reason += f"；其中的日期 {stated.isoformat()} 用作出处日期"
        dropped.append(Dropped(block.where, block.text, reason))
    return kept, dropped, stated


# -- plan -------------------------------------------------------------------------------------

def plan_import(project: Project, path: Path, *, category: str, prefix: str | None = None,
                tags: list[str] | None = None, date: dt.date | None = None,
                today: dt.date | None = None) -> ImportPlan:
    from kb_tools import scaffold
    from kb_tools.checks.metadata import normalized
    from kb_tools.pages import load_library

    library = load_library(project.docs_dir)
    folder = scaffold.resolve_category(library, category)
    article = read_article(Path(path))
    blocks, dropped, stated = clean(article)
    found = split(blocks)
    if found is None or not found.questions:
        raise ArticleError(f"在 {article.name} 中没有找到问题。kb import 认得这几种写法：“一、…？”“（一）…？”“1. …？”"
                           "这样编号的问题，“问：… 答：…”成对的问答，以及以问号结尾的小标题（Markdown 的 #，HTML 的 <h2> 等）。")
    title = _article_title(article, found.preamble)
    for block in found.preamble:
        reason = "文章标题" if block.text == title else "文章开头，不属于任何问题"
        dropped.append(Dropped(block.where, block.text, reason))
    date = date or stated or _first_date(found.preamble)
    if date is None:
        raise ArticleError(f"{article.name} 中找不到文章的发布日期。请用 --date 给出，例如 --date 2023-11-21。")
    prefix = prefix or f"imported-{date:%Y%m%d}"
    if not scaffold.SLUG.match(prefix) or len(prefix) > scaffold.MAX_SLUG - 3:
        raise scaffold.ScaffoldError(f"文件名前缀“{prefix}”不符合要求：只能用小写英文字母、数字和连字符（-），例如 owner-faq。")

    plan = ImportPlan(article.name, found.layout, scaffold.fix_text(title), date, folder, len(found.questions),
                      dropped=dropped)
    taken = {normalized(p.title): p.path for p in library.pages.values()}
    taken.update({normalized(a): p.path for p in library.questions for a in p.aliases})
    seen: dict[str, int] = {}
    category_name = scaffold.categories(library)[folder]
    for question in found.questions:
        page_title = scaffold.clean_title(question.title)
        key = normalized(page_title)
        if key in seen:
            plan.dropped.append(Dropped(question.where, question.text, f"与第 {seen[key]} 节的问题相同，没有重复导入"))
            plan.dropped += [Dropped(b.where, b.text, f"重复问题（第 {seen[key]} 节）的答案") for b in question.answer]
            continue
        if key in taken:
            plan.dropped.append(Dropped(question.where, question.text, f"已有页面 docs/{taken[key]} 收录了这个问题，没有导入"))
            plan.dropped += [Dropped(b.where, b.text, f"已收录的问题的答案（docs/{taken[key]}）") for b in question.answer]
            continue
        answer, duplicates = _without_duplicates(question.answer)
        plan.dropped += duplicates
        if not answer:
            plan.dropped.append(Dropped(question.where, question.text, "只有问题，没有答案，没有导入"))
            continue
        seen[key] = question.number
        rel = f"{folder}/{prefix}-{question.number:02d}.md"
        if (project.docs_dir / rel).exists():
            raise scaffold.ScaffoldError(f"docs/{rel} 已经存在，没有导入任何页面。"
                                         f"请用 --prefix 换一个文件名前缀（现在是 {prefix}）。")
        slug = scaffold.check_slug(project, folder, f"{prefix}-{question.number:02d}")
        body, notes = _body(article.kind, answer, question)
        plan.notes += notes
        text = _page_text(
            title=page_title, category=category_name, tags=_tags(page_title, tags or []),
            alias=_alias(page_title), today=today or clock.today(), source_title=plan.title, date=date,
            number=question.number, body=body)
        plan.drafts.append(Draft(f"{folder}/{slug}.md", question.number, page_title, text))
    plan.dropped.sort(key=lambda d: d.position)
    return plan


def _article_title(article: Article, preamble: list[Block]) -> str:
    headings = [b for b in preamble if b.heading]
    if headings:
        return min(headings, key=lambda b: b.heading).text
    if article.title_hint:
        return re.split(r"\s+[-_|–—]\s+|\s*[|｜]\s*", article.title_hint)[0]
    short = [b for b in preamble if len(b.text) <= 60 and not chrome.find_date(b.text)]
    if short:
        return short[0].text
    raise ArticleError(f"{article.name} 中找不到文章标题：问题之前应当有一行标题。")


def _first_date(blocks: list[Block]) -> dt.date | None:
    for block in blocks:
        found = chrome.find_date(block.text)
        if found:
            return found
    return None


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _without_duplicates(answer: list[Block]) -> tuple[list[Block], list[Dropped]]:
    """Paragraphs repeated, or cut off and repeated in full elsewhere in the answer, are dropped."""
    kept, dropped = [], []
    squeezed = [_squeezed(b.text) for b in answer]
    for i, block in enumerate(answer):
        mine = squeezed[i]
        if len(mine) >= MIN_DUPLICATE:
            longer = next((j for j, other in enumerate(squeezed)
                           if j != i and mine in other and (len(other) > len(mine) or j < i)), None)
            if longer is not None:
                whole = "相同" if squeezed[longer] == mine else "包含它的全文"
                dropped.append(Dropped(block.where, block.text,
                                       f"重复的段落（{answer[longer].where}{whole}），只保留一份"))
                continue
        kept.append(block)
    return kept, dropped


def _body(kind: str, answer: list[Block], question: Question) -> tuple[str, list[str]]:
    from kb_tools.checks.laws import NOTICE_TITLE, REPEAL_WORDS, load_laws
    from kb_tools.checks.typography import fix_text

    parts: list[str] = []
    previous_item = False
    for block in answer:
        if block.markdown and kind == "markdown":
            text, item = block.markdown, False
        else:
            item_match = _LIST_ITEM.match(block.text)
            item = bool(item_match)
            text = (f"{item_match.group(1)}. {escape_markdown(fix_text(item_match.group(2)))}" if item_match
                    else escape_markdown(fix_text(block.text)))
        if parts and item and previous_item:
            parts[-1] += "\n" + text  # one ordered list
        else:
            parts.append(text)
        previous_item = item
    body = "\n\n".join(parts)
    notes = []
    for law in load_laws():
        if law.citation.search(body) and not any(word in body for word in REPEAL_WORDS):
            # Readers see this note (the page ships, in review); what editors must do goes in `notes`.
            body += (f"\n\n!!! note \"{NOTICE_TITLE}\"\n    上文提到的《{law.name}》已于 {law.repealed.isoformat()} 废止，"
                     f"由《{law.successor}》取代；本页按现行法律审核完之前，请以《{law.successor}》的规定为准。")
            notes.append(f"第 {question.number} 节引用了已废止的《{law.name}》：页面末尾加上了“{NOTICE_TITLE}”，请审核时按现行法律核对。")
    return body, notes


def _tags(title: str, given: list[str]) -> list[str]:
    from kb_tools.scaffold import split_tags
    from kb_tools.text import DATA_DIR, data_lines

    words = [text.split()[0] for _, text in data_lines(DATA_DIR / "userdict.txt")]
    found: list[str] = []
    rest = title
    for word in sorted(words, key=len, reverse=True):
        if word in rest and word not in GENERIC_TAGS and len(found) < MAX_TAGS:
            found.append(word)
            rest = rest.replace(word, "\0")
    tags = list(given) + [w for w in sorted(found, key=title.find) if w not in given]
    return split_tags(tags or [FALLBACK_TAG])


def _alias(title: str) -> str:
    """A keyword form of the question (what a caller might type), different from the title."""
    from kb_tools.checks.metadata import normalized

    keywords = _INTERROGATIVES.sub("", title.rstrip(_TRAILING_MARKS))
    keywords = re.sub(r"[？?！!。，,、；;：:\s]+", "", keywords)
    if len(keywords) >= 2 and normalized(keywords) != normalized(title):
        return keywords
    return "请问" + title.rstrip(_TRAILING_MARKS)


def _page_text(*, title: str, category: str, tags: list[str], alias: str, today: dt.date, source_title: str,
               date: dt.date, number: int, body: str) -> str:
    from kb_tools.scaffold import yaml_scalar

    note = (f"由 kb import 从《{source_title}》第 {number} 节导入，尚未审核：请核对问题和答案的边界、标签、其他问法，"
            "以及内容在现行法律下是否仍然准确。")
    lines = ["---", f"title: {yaml_scalar(title)}", f"category: {yaml_scalar(category)}",
             f"tags: [{', '.join(yaml_scalar(t) for t in tags)}]", "aliases:", f"  - {yaml_scalar(alias)}",
             f"reviewed: {today.isoformat()}", "status: needs-review", f"review_note: {yaml_scalar(note)}",
             "source:", f"  title: {yaml_scalar(source_title)}", f"  date: {date.isoformat()}",
             f"  sections: [{number}]", "---", "", body.rstrip() + "\n"]
    return "\n".join(lines)


# -- write ------------------------------------------------------------------------------------

def report_lines(plan: ImportPlan, *, dry_run: bool) -> list[str]:
    """What `kb import` tells the editor: what it read, the pages, what it dropped and why."""
    lines = [f"从 {plan.article} 读到《{plan.title}》（{plan.date.isoformat()}），按{plan.layout}找到 {plan.found} 个问题。",
             f"{'将创建' if dry_run else '已创建'} {len(plan.drafts)} 个页面"
             f"（状态：待审核{'；试运行，没有写入文件' if dry_run else ''}）："]
    lines += [f"  docs/{draft.rel}  第 {draft.number} 节  {draft.title}" for draft in plan.drafts]
    if plan.dropped:
        lines.append(f"去掉了 {len(plan.dropped)} 处内容，请对照原文确认没有丢掉有用的信息：")
        lines += [f"  {dropped}" for dropped in plan.dropped]
    lines += [f"提醒：{note}" for note in plan.notes]
    return lines


def write_import(project: Project, plan: ImportPlan) -> list[Path]:
    """Create the drafts' files; nothing is written when any of them exists already."""
    from kb_tools.scaffold import ScaffoldError, add_to_index

    paths = [project.docs_dir / d.rel for d in plan.drafts]
    existing = [f"docs/{d.rel}" for d, p in zip(plan.drafts, paths) if p.exists()]
    if existing:
        raise ScaffoldError(f"{'、'.join(existing)} 已经存在，没有导入任何页面。请用 --prefix 换一个文件名前缀。")
    written = []
    for draft, path in zip(plan.drafts, paths):
        try:
            with open(path, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(draft.text)
        except FileExistsError:
            raise ScaffoldError(f"docs/{draft.rel} 已经存在（刚刚被别的程序创建）。已导入的页面：{len(written)} 个。") from None
        written.append(path)
        add_to_index(project.docs_dir / plan.category / "index.md", draft.title, path.name)
    return written
