"""KB401: a citation of a repealed law needs a notice that says so.

A citation is the law's name in 《》, with or without 中华人民共和国. It is acceptable when the page
has a `!!! note "法律更新提示"` notice that names the law, or when the same paragraph says that
the law was repealed (废止、失效). Two uses are current law whatever a notice says elsewhere: an
article of the law cited as a basis (《物权法》第七十六条) without 废止 in its paragraph, and the law
named as a page's `sources`. The list of laws is kb_tools/data/repealed_laws.txt."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb_tools.checks.rules import Finding
from kb_tools.checks.source import BODY, FRONT, SourceFile
from kb_tools.civil_code import NUMERAL
from kb_tools.errors import KbError
from kb_tools.markdown_text import ADMONITION
from kb_tools.pages import Page
from kb_tools.text import DATA_DIR, data_lines

LAWS_FILE = DATA_DIR / "repealed_laws.txt"
NOTICE_TITLE = "法律更新提示"
REPEAL_WORDS = ("废止", "失效")


@dataclass(frozen=True)
class Law:
    name: str
    repealed: dt.date
    successor: str

    @property
    def citation(self) -> re.Pattern:
        return re.compile(rf"《(?:中华人民共和国)?{re.escape(self.name)}》")

    @property
    def article_citation(self) -> re.Pattern:
        return re.compile(rf"《(?:中华人民共和国)?{re.escape(self.name)}》\s*第\s*(?:{NUMERAL})\s*条")

    def names(self, title: str) -> bool:
        return title.strip().strip("《》").removeprefix("中华人民共和国") == self.name


@lru_cache(maxsize=4)
def load_laws(path: Path = LAWS_FILE) -> tuple[Law, ...]:
    where = f"kb_tools/data/{path.name}" if path.parent == DATA_DIR else str(path)
    laws = []
    for number, text in data_lines(path, where):
        parts = text.split()
        try:
            if len(parts) != 3:
                raise ValueError
            laws.append(Law(parts[0].strip("《》"), dt.date.fromisoformat(parts[1]), parts[2].strip("《》")))
        except ValueError:
            raise KbError("每行应是“法律名称 废止日期 取代它的法律”，用空格分隔，例如“物权法 2021-01-01 民法典”。",
                          path=where, line=number) from None
    return tuple(laws)


def check(source: SourceFile, laws: tuple[Law, ...], page: Page | None = None) -> list[Finding]:
    paragraphs, notices = _blocks(source)
    noticed = "\n".join(notices)
    findings = _sources(source, laws, page) if page is not None else []
    for paragraph in paragraphs:
        joined = "".join(line.text for line in paragraph)
        if any(word in joined for word in REPEAL_WORDS):
            continue
        for law in laws:
            if law.name in noticed:
                findings += _articles_as_basis(source, law, paragraph)
                continue
            for line, citation in _citing(paragraph, law.citation):
                findings.append(Finding(
                    source.display, line.number, "KB401",
                    f"引用了已废止的《{law.name}》（{law.repealed.isoformat()} 起废止，由《{law.successor}》取代）。"
                    f"请改为引用《{law.successor}》的相应规定；如需保留原文的说法，请在本页加上 "
                    f"`!!! note \"{NOTICE_TITLE}\"`，并在提示中写明《{law.name}》已废止。", citation.start()))
    return findings


def _citing(paragraph, pattern, body_only: bool = False):
    """(line, first match) for each line of the paragraph that `pattern` finds (prose only, with
    `body_only`)."""
    for line in paragraph:
        if body_only and line.region != BODY:
            continue
        citation = pattern.search(line.text)
        if citation:
            yield line, citation


def _articles_as_basis(source: SourceFile, law: Law, paragraph) -> list[Finding]:
    """An article of a repealed law cited where the paragraph does not say the law was repealed."""
    findings = []
    for line, citation in _citing(paragraph, law.article_citation, body_only=True):
        findings.append(Finding(
            source.display, line.number, "KB401",
            f"“{citation.group()}”把已废止的《{law.name}》的条文当作依据（{law.repealed.isoformat()} 起废止）。"
            f"本页的法律更新提示不能代替这里的说明：请改为引用《{law.successor}》的相应条文，"
            f"或者在同一段写明《{law.name}》已经废止。", citation.start()))
    return findings


def _sources(source: SourceFile, laws: tuple[Law, ...], page: Page) -> list[Finding]:
    """A repealed law named as where the page's content comes from."""
    findings = []
    for item in page.sources:
        law = next((law for law in laws if law.names(item.title)), None)
        if law is None:
            continue
        start = page.line_of("sources") if "sources" in page.meta else page.line_of("source")
        line = next((l.number for l in source.lines if l.region == FRONT and l.number >= start and item.title in l.text),
                    start)
        findings.append(Finding(
            source.display, line, "KB401",
            f"出处写的是已废止的《{law.name}》（{law.repealed.isoformat()} 起废止，由《{law.successor}》取代）。"
            f"请改为《{law.successor}》的相应条文。"))
    return findings


def _blocks(source: SourceFile):
    """Paragraphs (runs of non-blank lines; each front-matter line on its own) and notice texts."""
    paragraphs, notices = [], []
    current: list = []
    notice: list[str] | None = None
    for line in source.lines:
        if line.region == FRONT:
            paragraphs.append([line])
            continue
        if notice is not None:
            if not line.text.strip() or line.text.startswith(("    ", "\t")):
                notice.append(line.text)
            else:
                notices.append("\n".join(notice))
                notice = None
        if line.region != BODY or not line.text.strip():
            if current:
                paragraphs.append(current)
            current = []
            continue
        opening = ADMONITION.match(line.text)
        if opening and opening.group(1) == NOTICE_TITLE:
            notice = [line.text]
        current.append(line)
    if current:
        paragraphs.append(current)
    if notice is not None:
        notices.append("\n".join(notice))
    return paragraphs, notices
