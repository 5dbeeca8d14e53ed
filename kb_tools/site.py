"""What the site shows beyond each page's own Markdown: navigation, notices, other phrasings,
related questions, provenance and last-updated dates. All of it derives from the loader."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
from pathlib import Path

from kb_tools.pages import Library, Page, Source, resolve_link
from kb_tools.sections import ALIASES, PROVENANCE, RELATED

CHINESE_NUMERALS = "一二三四五六七八九十"
# Readers see this on a page in review; why it is in review (`review_note`) is for editors and is
# shown nowhere on the site.
REVIEW_NOTICE = "本页内容还在核实中，仅供参考；如与实际情况不符，请以物业服务合同和现行法规为准。"
SECTION_TITLES = {"law": "法律参考"}


HOME_LABEL = "首页"  # the home page in the navigation: its title is the site's name, said once already
PREVIEW_VARIABLE = "KB_PREVIEW"


def is_preview(command: str | None, environ) -> bool:
    """A build for editors (`kb serve`, or KB_PREVIEW=1): the site shows them the edit pencil."""
    return command == "serve" or environ.get(PREVIEW_VARIABLE) == "1"


def _sort_key(page: Page) -> tuple:
    return (page.order if page.order is not None else 50, page.title)


def build_nav(library: Library) -> list:
    """Home, then categories in their `order`, then other folders, then other top-level pages."""
    nav: list = []
    pages = library.pages
    if "index.md" in pages:
        nav.append({HOME_LABEL: "index.md"})
    categories = library.categories
    by_dir: dict[str, list[Page]] = {}
    for page in pages.values():
        if "/" in page.path and not page.path.endswith("/index.md"):
            by_dir.setdefault(page.category_dir, []).append(page)
    for folder in sorted(by_dir, key=lambda d: (d not in categories, _sort_key(categories[d]) if d in categories else (50, d))):
        index = pages.get(f"{folder}/index.md")
        title = index.title if index else SECTION_TITLES.get(folder, folder)
        children: list = [f"{folder}/index.md"] if index else []
        children += [{p.title: p.path} for p in sorted(by_dir[folder], key=_sort_key)]
        nav.append({title: children})
    top = [p for p in pages.values() if "/" not in p.path and p.path != "index.md"]
    nav += [{p.title: p.path} for p in sorted(top, key=_sort_key)]
    return nav


def _escape_inline(text: str) -> str:
    """Plain text from front matter, made safe to place in Markdown (no HTML, no markup)."""
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]#|!])", r"\\\1", text)


def section_label(numbers: tuple[int, ...]) -> str:
    return "、".join(f"第{CHINESE_NUMERALS[n - 1]}节" for n in numbers)


# The note a page carries when the article it was curated from cites a law no longer in force.
LAW_UPDATE = '!!! note "法律更新提示"'


def provenance(source: Source, *, law_update: bool = False) -> str:
    """One sentence naming where the page comes from: the article's sections (and, when the page
    carries a 法律更新提示, that outdated law is marked there), or the law's articles."""
    title = _escape_inline(source.title)
    if source.sections:
        marked = "；文章里过时的法律依据，已在本页的“法律更新提示”中说明" if law_update else ""
        return (f"本页整理自 {source.date.year} 年的文章《{title}》（{source.date.isoformat()}）"
                f"{section_label(source.sections)}{marked}。")
    from kb_tools.civil_code import ARTICLE, is_civil_code, load_articles, parse_numeral

    subjects = load_articles() if is_civil_code(source.title) else {}
    cited = []
    for article in source.articles:
        match = ARTICLE.fullmatch(article)
        subject = subjects.get(parse_numeral(match.group(1))) if match else None
        cited.append(_escape_inline(article) + (f"（{_escape_inline(subject)}）" if subject else ""))
    return f"本页的法律依据：《{title}》{'、'.join(cited)}。"


def decorate(page: Page, markdown: str, library: Library, updated: dt.date | None = None) -> str:
    """The Markdown the site renders: question pages get notices and generated sections; other
    pages drawn from a source get their provenance."""
    if page.kind != "question":
        if not page.sources:
            return markdown
        lines = ["", "", f"## {PROVENANCE}", ""]
        for source in page.sources:
            lines += [provenance(source, law_update=LAW_UPDATE in markdown), ""]
        return markdown.rstrip() + "\n".join(lines)
    head = ""
    if page.status == "needs-review":
        head = f'!!! warning "本页内容待审核"\n\n    {REVIEW_NOTICE}\n\n'
    tail = ["", ""]
    if page.aliases:
        tail += [f"## {ALIASES}", ""] + [f"- {_escape_inline(a)}" for a in page.aliases] + [""]
    if page.related:
        tail += [f"## {RELATED}", ""]
        for target in page.related:
            other = library.pages.get(resolve_link(page.path, target) or "")
            title = _escape_inline(other.title) if other else target
            tail.append(f"- [{title}]({target})")
        tail.append("")
    # One paragraph per fact: a line break inside a Chinese paragraph renders as a stray space.
    tail += [f"## {PROVENANCE}", ""]
    for source in page.sources:
        tail += [provenance(source, law_update=LAW_UPDATE in markdown), ""]
    reviewed = page.reviewed.isoformat() if page.reviewed else "未记录"
    tail.append(f"最近审核：{reviewed}。")
    return head + markdown.rstrip() + "\n".join(tail) + "\n"


def git_dates(root: Path, docs_dir: Path) -> dict[str, dt.date]:
    """Last commit date of each file under docs/ (relative paths); empty outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "log", "--format=%x00%cs", "--name-only", "--", str(docs_dir)],
            cwd=root, capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    try:
        prefix = docs_dir.resolve().relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return {}
    dates: dict[str, dt.date] = {}
    for block in out.split("\x00")[1:]:
        lines = block.strip().splitlines()
        if not lines:
            continue
        day = dt.date.fromisoformat(lines[0])
        for name in lines[1:]:
            if name.startswith(prefix):
                dates.setdefault(name[len(prefix):], day)
    return dates


def last_updated(rel: str, docs_dir: Path, dates: dict[str, dt.date]) -> dt.date:
    """Git date for committed files; the file's modification date for uncommitted edits."""
    return dates.get(rel) or dt.date.fromtimestamp((docs_dir / rel).stat().st_mtime)
