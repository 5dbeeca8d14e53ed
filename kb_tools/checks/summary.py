"""The pull request's job summary: the pages a change touches, what readers will see of them, and
what `kb check` found on each, as Markdown for $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from kb_tools.checks.rules import Finding
from kb_tools.errors import PageError
from kb_tools.frontmatter import STATUSES
from kb_tools.pages import read_page
from kb_tools.project import Project, page_url


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(project: Project, rels: list[str], findings: list[Finding]) -> str:
    """`rels`: the touched pages, relative to docs/; `findings`: `kb check` on them."""
    docs_label = project.docs_dir.relative_to(project.root).as_posix() if project.docs_dir.is_relative_to(
        project.root) else str(project.docs_dir)
    lines = ["## 本次修改涉及的页面", ""]
    if not rels:
        return "\n".join(lines + ["本次修改没有涉及页面。", ""])
    lines += ["网站预览在本次运行的“Artifacts”中（site-preview）：下载解压后，打开对应目录下的 index.html。", "",
              "| 页面 | 标题 | 读者看到的状态 | 预览中的位置 | 检查结果 |", "|---|---|---|---|---|"]
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    for rel in rels:
        shown = f"{docs_label}/{rel}"
        try:
            page = read_page(project.docs_dir, rel)
            title, status = page.title, STATUSES.get(page.status or "", "—")
        except PageError:
            title, status = "（无法读取）", "—"
        found = by_path.get(shown, [])
        errors = sum(f.is_error for f in found)
        result = "没有问题" if not found else f"{errors} 个错误，{len(found) - errors} 个警告"
        lines.append(f"| `{shown}` | {_cell(title)} | {status} | `{page_url('', rel) or '/'}` | {result} |")
    for rel in rels:
        found = by_path.get(f"{docs_label}/{rel}", [])
        if found:
            lines += ["", f"### `{docs_label}/{rel}`", ""]
            lines += [f"- 第 {f.line} 行 {f.code}（{'错误' if f.is_error else '警告'}）：{_cell(f.message)}" for f in found]
    return "\n".join(lines + [""])
