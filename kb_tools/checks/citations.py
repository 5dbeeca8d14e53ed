"""KB402: every cited article of the 《民法典》 is a real article and one the site has checked.

A citation is `第…条` (Chinese numerals or digits) in what a reader sees of the body, or an item of
`articles` in a `sources` entry whose title is the 民法典. A `第…条` in the body belongs to the law
last named in 《》 before it on the page (or, when none is named, to the page's own 民法典 source);
one that follows a document such as 合同 or 规约 is that document's clause, not a law's article.
The list of checked articles is kb_tools/data/civil_code_articles.txt."""

from __future__ import annotations

import re

from kb_tools.checks.rules import Finding
from kb_tools.checks.source import BODY, FRONT, TOKEN, SourceFile, prose_atoms
from kb_tools.civil_code import ARTICLE, LAST_ARTICLE, is_civil_code, label, parse_numeral
from kb_tools.pages import Page

ARTICLES_FILE = "kb_tools/data/civil_code_articles.txt"
_TITLE = re.compile(r"《([^《》]{1,40})》")
_CLAUSE_OF = re.compile(r"(?:合同|规约|公约|章程|协议|细则|规则|条例|办法|规定|通知|须知)\s*$")


def check(source: SourceFile, page: Page | None, cited: dict[int, str]) -> list[Finding]:
    findings = _front_matter(source, page, cited) if page is not None else []
    default = "民法典" if page is not None and any(s.articles and is_civil_code(s.title) for s in page.sources) else None
    law = None
    for line in source.lines:
        if line.region != BODY:
            continue
        atoms = [a for a in prose_atoms(line.text) if a.char != TOKEN]
        seen = "".join(a.char for a in atoms)
        events = sorted([(m.start(), "law", m) for m in _TITLE.finditer(seen)]
                        + [(m.start(), "article", m) for m in ARTICLE.finditer(seen)], key=lambda e: e[0])
        for start, kind, match in events:
            if kind == "law":
                law = match.group(1)
                continue
            if _CLAUSE_OF.search(seen[:start]):
                continue
            current = law or default
            if current is None or not is_civil_code(current):
                continue
            message = problem(match.group(), cited)
            if message:
                findings.append(Finding(source.display, line.number, "KB402", message, atoms[start].pos))
    return findings


def problem(text: str, cited: dict[int, str]) -> str | None:
    """What is wrong with one cited article of the 民法典, in Chinese; None when nothing is."""
    match = ARTICLE.fullmatch(text.strip())
    number = parse_numeral(match.group(1)) if match else None
    if number is None:
        return f"“{text}”不是有效的条号写法。请用《民法典》的写法，例如“第二百七十八条”“第一千零三十二条”。"
    if not 1 <= number <= LAST_ARTICLE:
        return (f"“{text}”不是《民法典》的条号：《民法典》从第一条到第一千二百六十条，共 {LAST_ARTICLE} 条。"
                "请对照《民法典》原文核对条号。")
    if not match.group(1).isdigit() and text.replace(" ", "") != label(number):
        return f"“{text}”的写法不规范，请写作“{label(number)}”。"
    if number not in cited:
        return (f"《民法典》{label(number)}不在已核对的条文清单 {ARTICLES_FILE} 中。请先对照《民法典》原文核对这一条，"
                "再把条号和主题加进清单；如果是条号写错了，请改正。")
    return None


def _front_matter(source: SourceFile, page: Page, cited: dict[int, str]) -> list[Finding]:
    findings = []
    for item in page.sources:
        if not item.articles:
            continue
        for article in item.articles:
            line = _line_of(source, page, article)
            if not is_civil_code(item.title):
                findings.append(Finding(
                    source.display, line, "KB402",
                    f"《{item.title}》的条号没有核对清单（{ARTICLES_FILE} 只收《民法典》）。"
                    f"请去掉 `articles`，只写法律名称；如果已对照现行条文核对过，请在拉取请求中说明，由维护者扩充清单。"))
                break
            message = problem(article, cited)
            if message:
                findings.append(Finding(source.display, line, "KB402", message))
    return findings


def _line_of(source: SourceFile, page: Page, text: str) -> int:
    start = page.line_of("sources") if "sources" in page.meta else page.line_of("source")
    for line in source.lines:
        if line.region == FRONT and line.number >= start and text in line.text:
            return line.number
    return start
