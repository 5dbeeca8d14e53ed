"""KB101–KB112: front matter and what it promises. The schema itself (KB101) and the category and
`related` cross-checks (KB102) are the loader's (kb_tools/pages.py): one place for those rules."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb_tools.checks.rules import Finding
from kb_tools.checks.source import BODY, SourceFile, code_spans, display_path, outside
from kb_tools.errors import KbError, os_reason
from kb_tools.pages import Library, Page
from kb_tools.text import DATA_DIR

POLICY_FILE = DATA_DIR / "check_policy.yml"
PLACEHOLDER = "待填写"
FUTURE_SLACK = dt.timedelta(days=1)  # editors in UTC+8 write "today" while CI's clock is still on yesterday
_CURATION = re.compile(r"整理自|来源文章|(?<!条文)(?<!法律)(?<!法条)原文")
_TRAILING = "?？!！。.…"


@dataclass(frozen=True)
class Policy:
    review_max_age_days: int = 365


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> Policy:
    import yaml

    where = f"kb_tools/data/{path.name}" if path.parent == DATA_DIR else str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as err:
        raise KbError(f"无法读取审核政策：{os_reason(err, reading=True)}。", path=where) from None
    except yaml.YAMLError:
        raise KbError("审核政策不是有效的 YAML。", path=where) from None
    days = data.get("review_max_age_days") if isinstance(data, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise KbError("`review_max_age_days` 必须是正整数（天数），例如 `review_max_age_days: 365`。", path=where)
    return Policy(days)


def normalized(text: str) -> str:
    """Two titles or phrasings that differ only in width, case, spaces or the final mark are the same."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", "", text).rstrip(_TRAILING)


def display(library: Library, root: Path, rel: str) -> str:
    return display_path(root, library.docs_dir, rel)


# -- KB103, KB104 -----------------------------------------------------------------------------

def duplicate_titles(library: Library, root: Path, targets: set[str]) -> list[Finding]:
    """Every page of a group with the same title is reported: which of them is the new one is not known."""
    groups: dict[str, list[Page]] = {}
    for rel in sorted(library.pages):
        groups.setdefault(normalized(library.pages[rel].title), []).append(library.pages[rel])
    findings = []
    for pages in groups.values():
        for page in pages if len(pages) > 1 else []:
            if page.path not in targets:
                continue
            other = next(p for p in pages if p is not page)
            findings.append(Finding(
                display(library, root, page.path), page.line_of("title"), "KB103",
                f"标题“{page.title}”与 {display(library, root, other.path)} 的标题重复。每个页面的标题必须不同："
                "如果是同一个问题，请合并到那一页；否则请把标题写得更具体。"))
    return findings


def duplicate_aliases(library: Library, root: Path, sources: dict[str, SourceFile], targets: set[str]) -> list[Finding]:
    """An alias equal to the page's own title, repeated on the page, equal to another page's title
    (reported on the alias), or shared with another page (reported on both pages)."""
    titles = {normalized(p.title): p for p in sorted(library.pages.values(), key=lambda p: p.path)}
    questions = sorted(library.questions, key=lambda p: p.path)
    owners: dict[str, list[Page]] = {}
    for page in questions:
        for key in dict.fromkeys(normalized(a) for a in page.aliases):
            owners.setdefault(key, []).append(page)
    findings = []
    for page in questions:
        lines = _item_lines(sources.get(page.path), "aliases") or []
        seen: set[str] = set()
        for i, alias in enumerate(page.aliases):
            key = normalized(alias)
            line = lines[i] if i < len(lines) else page.line_of("aliases")
            message = None
            if key == normalized(page.title):
                message = f"其他问法“{alias}”与本页标题相同。请删除这一项，或换一种问法。"
            elif key in seen:
                message = f"其他问法“{alias}”在本页重复出现。请删除重复的一项。"
            elif key in titles and titles[key].path != page.path:
                message = (f"其他问法“{alias}”与 {display(library, root, titles[key].path)} 的标题相同。"
                           "同一个问法只能指向一个页面：请删除这一项，或者把两页合并。")
            elif len(owners[key]) > 1:
                other = next(p for p in owners[key] if p is not page)
                message = (f"其他问法“{alias}”与 {display(library, root, other.path)} 的其他问法重复。"
                           "同一个问法只能指向一个页面：请删除其中一个。")
            seen.add(key)
            if message and page.path in targets:
                findings.append(Finding(display(library, root, page.path), line, "KB104", message))
    return findings


def _item_lines(source: SourceFile | None, key: str) -> list[int] | None:
    """File line of each item of a front-matter list."""
    import yaml

    if source is None or not source.front_text:
        return None
    try:
        root = yaml.compose(source.front_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    for k, v in getattr(root, "value", []):
        if getattr(k, "value", None) == key and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 2 for item in v.value]
    return None


# -- KB106–KB112 ------------------------------------------------------------------------------

def page_rules(page: Page, source: SourceFile, today: dt.date, policy: Policy) -> list[Finding]:
    findings = []
    if page.kind == "question" and page.source is None:
        for line in source.body_lines():
            spans = code_spans(line.text)
            match = next((m for m in _CURATION.finditer(line.text) if outside(spans, m.start())), None)
            if match:
                findings.append(Finding(
                    source.display, line.number, "KB106",
                    f"正文提到“{match.group()}”，但 front matter 中没有 `source`。整理自来源文章的页面必须写明出处，例如："
                    "`source: {title: 怎样通过物业找到业主？, date: 2023-11-21, sections: [5]}`（sections 是原文的第几节）；"
                    f"如果本页不是整理自来源文章，请改掉“{match.group()}”这类说法。"))
                break
    if page.reviewed is not None:
        age = (today - page.reviewed).days
        if page.reviewed > today + FUTURE_SLACK:
            findings.append(Finding(source.display, page.line_of("reviewed"), "KB108",
                                    f"`reviewed: {page.reviewed.isoformat()}` 晚于今天（{today.isoformat()}）。"
                                    "请填写实际审核的日期。"))
        elif age > policy.review_max_age_days:
            findings.append(Finding(source.display, page.line_of("reviewed"), "KB107",
                                    f"上次审核是 {page.reviewed.isoformat()}，已过去 {age} 天（审核周期为 "
                                    f"{policy.review_max_age_days} 天）。请核对内容是否仍然准确，然后把 `reviewed` "
                                    "改为核对当天的日期。"))
    # A draft may keep the template while it is written; readers must never see it.
    published = page.status == "published"
    for line in source.lines:
        if line.region == BODY and PLACEHOLDER in line.text:
            if published:
                findings.append(Finding(source.display, line.number, "KB112",
                                        f"页面已发布（`status: published`），却还有模板文字“{PLACEHOLDER}”。"
                                        "请换成真正的内容；内容还没写好时，请把 status 改回 needs-review。"))
            else:
                findings.append(Finding(source.display, line.number, "KB109",
                                        f"还有模板文字“{PLACEHOLDER}”。请换成真正的内容后再发布。"))
    return findings
