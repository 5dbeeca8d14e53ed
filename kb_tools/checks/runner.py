"""`kb check`: run every rule over the pages, collect findings, and with `fix` repair the mechanical ones."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools import clock, redirects
from kb_tools.checks import citations, editorial, laws, links, metadata, privacy, similar, typography, unsafe
from kb_tools.checks.fix import apply_fixes
from kb_tools.checks.rules import Finding
from kb_tools.checks.source import SourceFile, display_path
from kb_tools.civil_code import load_articles
from kb_tools.errors import FileRefused, KbError, PageError
from kb_tools.pages import Library, check_cross_references, page_paths, parse_page, read_page, scan_docs
from kb_tools.project import Project

MAX_FIX_PASSES = 5  # a repair can make a neighbour checkable (a look-alike becomes a Han character)


class CheckUsageError(KbError):
    """The files given to `kb check` cannot be checked."""

    exit_code = 2


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    checked: int = 0  # pages checked
    fixed: dict[str, int] = field(default_factory=dict)  # path -> repairs made
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    def summary(self) -> str:
        fixed = sum(self.fixed.values())
        head = f"已修正 {fixed} 处排版问题（{len(self.fixed)} 个文件）。" if fixed else ""
        if not self.findings:
            return head + f"检查了 {self.checked} 个页面，没有发现问题。"
        return head + (f"检查了 {self.checked} 个页面：{len(self.errors)} 个错误，{len(self.warnings)} 个警告。"
                       + ("请按上面的提示修改；规则说明见 CONTRIBUTING.md。" if self.errors else "警告不影响发布，但请尽量处理。"))


def resolve_targets(project: Project, files: list[str], cwd: Path | None = None) -> list[str]:
    """Page paths (relative to docs/) for the files or folders given on the command line."""
    cwd = Path(cwd or os.getcwd())
    docs = Path(os.path.abspath(project.docs_dir))
    targets: list[str] = []
    for name in files:
        given = Path(name)
        candidates = [given] if given.is_absolute() else [cwd / given, project.root / given]
        # Absolute, but links not followed: a symlinked page is reported where it stands (KB110).
        existing = [Path(os.path.abspath(c)) for c in candidates if c.exists() or c.is_symlink()]
        if not existing:
            raise CheckUsageError(f"找不到文件“{name}”。请给出 docs/ 下的 .md 文件或目录，例如 docs/compensation/water-outage.md。")
        path = next((c for c in existing if c == docs or docs in c.parents), existing[0])
        try:
            rel = path.relative_to(docs).as_posix()
        except ValueError:
            raise CheckUsageError(f"“{name}”不在页面目录 {project.docs_dir} 中。只能检查 docs/ 下的 .md 文件。") from None
        if path.is_dir():
            prefix = "" if rel == "." else rel + "/"
            targets += [p for p in page_paths(project.docs_dir) if p.startswith(prefix)]
        elif rel.endswith(".md"):
            targets.append(rel)
        else:
            raise CheckUsageError(f"“{name}”不是 .md 文件。只能检查 docs/ 下的 .md 文件。")
    return sorted(set(targets))


def _display(project: Project, rel: str) -> str:
    return display_path(project.root, project.docs_dir, rel)


def run_checks(project: Project, files: list[str] | None = None, *, today: dt.date | None = None,
               fix: bool = False, notify=None, cwd: Path | None = None) -> CheckReport:
    """Check the whole site, or only the given files (cross-page context still comes from all pages)."""
    today = today or clock.today()
    targets = None if files is None else resolve_targets(project, files, cwd)
    if not fix:
        return _check(project, targets, today, notify)
    fixed: dict[str, int] = {}
    for _ in range(MAX_FIX_PASSES):
        report = _check(project, targets, today, notify=None, similar_pages=False)
        changed = apply_fixes(project, report.findings, links.AnchorIndex(project, None).render)
        if not changed:
            break
        for path, count in changed.items():
            fixed[path] = fixed.get(path, 0) + count
    report = _check(project, targets, today, notify)
    report.fixed = fixed
    return report


def _check(project: Project, targets: list[str] | None, today: dt.date, notify, similar_pages: bool = True) -> CheckReport:
    docs = project.docs_dir
    if not docs.is_dir():
        raise KbError(f"找不到页面目录 {docs}。请在知识库目录中运行，或检查 mkdocs.yml 的 docs_dir。")
    scan = scan_docs(docs)
    all_paths = scan.pages
    wanted = set(all_paths if targets is None else targets)
    report = CheckReport(checked=len(wanted))
    findings: set[Finding] = {Finding(_display(project, err.path), 1, err.rule, err.message)
                              for err in scan.problems if targets is None or err.path in wanted}
    pages, sources = {}, {}
    for rel in all_paths:
        try:
            pages[rel] = read_page(docs, rel)
        except PageError as err:
            if rel in wanted:
                findings.add(Finding(_display(project, rel), err.line or 1, getattr(err, "rule", "KB101"), err.message))
            if isinstance(err, FileRefused):
                continue  # not read at all: a link, or too large to check line by line
        try:
            text = (docs / rel).read_text(encoding="utf-8").lstrip("\ufeff")
        except (OSError, UnicodeDecodeError):
            continue  # reported as KB101 above
        sources[rel] = SourceFile.parse(rel, _display(project, rel), text)
    library = Library(docs, pages)
    for page in library.questions:
        if page.path not in wanted:
            continue
        try:
            check_cross_references(library, page)
        except PageError as err:
            path = err.path or page.path
            code = "KB102" if path == page.path else "KB101"
            findings.add(Finding(_display(project, path), err.line or 1, code, err.message))

    policy = metadata.load_policy()
    repealed = laws.load_laws()
    cited = load_articles()
    anchors = links.AnchorIndex(project, library)
    show = functools.partial(_display, project)
    for rel in sorted(wanted & sources.keys()):
        source = sources[rel]
        # Judged on the page as the site renders it: the same gate the build applies.
        scripts = unsafe.rendered(source, anchors.html(rel) or "") if rel in pages else []
        found = typography.check(source) + privacy.check(source) + scripts
        found += laws.check(source, repealed, pages.get(rel))
        found += citations.check(source, pages.get(rel), cited)
        found += editorial.check(source, pages.get(rel))
        found += links.check(source, project, library, anchors, show)
        if rel in pages:
            found += metadata.page_rules(pages[rel], source, today, policy)
        findings.update(f for f in found if not source.allows(f.line, f.code))
    findings.update(metadata.duplicate_titles(library, project.root, wanted))
    findings.update(metadata.duplicate_aliases(library, project.root, sources, wanted))
    if targets is None:
        findings.update(_url_findings(project))
    if similar_pages:
        findings.update(_similar_findings(project, library, wanted, report, notify))
    report.findings = sorted(findings, key=lambda f: (f.path, f.line, f.column, f.code, f.message))
    return report


def _url_findings(project: Project) -> list[Finding]:
    found = [Finding(redirects.URLS_FILE, line, "KB601", message) for _, line, message in redirects.uncovered(project)]
    result = redirects.load_redirects(project.root, project.docs_dir)
    found += [Finding(redirects.REDIRECTS_FILE, line, code, message) for code, line, message in result.problems]
    return found


def _similar_findings(project: Project, library: Library, wanted: set[str], report: CheckReport, notify) -> list[Finding]:
    published = {url for url, _ in redirects.read_manifest(project.root)}
    new = [p for p in library.questions if p.path in wanted and redirects.url_path(p.path) not in published]
    if not new:
        return []
    from kb_tools.indexer import ensure_fresh
    from kb_tools.search import Searcher

    try:
        ensure_fresh(project, notify=notify or (lambda message: None))
        searcher = Searcher(project)
    except PageError:
        report.notes.append("暂未检查相似问题（KB105）：页面有错误，无法建立搜索索引。改正上面的错误后再运行 `kb check`。")
        return []
    except KbError as err:
        report.notes.append(f"暂未检查相似问题（KB105）：{err}")
        return []
    found = []
    new_paths = {p.path for p in new}
    with searcher:
        for page in new:
            for other, score, mine, theirs in similar.similar_pages(searcher, page, library.pages):
                if other.path in new_paths and other.path > page.path:
                    continue  # both new: reported once, on the later page
                found.append(Finding(
                    _display(project, page.path), page.line_of("title"), "KB105",
                    f"这个问题与 {_display(project, other.path)}“{other.title}”很相似（“{mine}”与“{theirs}”，"
                    f"相似度 {score:.2f}）。如果是同一个问题，请把新的问法加到那一页的 aliases 中，不要新建页面。"))
    return found
