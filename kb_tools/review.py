"""Pages whose review is due: the list the weekly workflow shows the editors.

A page is due when its `reviewed` date is older than the review period of
kb_tools/data/check_policy.yml (the same period as rule KB107). The list never fails anything:
a page that cannot be read is named in a note, for `kb check` to explain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools.checks.metadata import Policy, load_policy
from kb_tools.errors import PageError
from kb_tools.pages import page_paths, read_page


@dataclass(frozen=True)
class Due:
    path: str  # relative to docs/
    title: str
    reviewed: dt.date
    due: dt.date  # the first day the review is overdue

    def days_left(self, today: dt.date) -> int:
        """Negative once the review is overdue."""
        return (self.due - today).days


@dataclass
class DueReport:
    today: dt.date
    policy: Policy
    pages: list[Due] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # docs-relative paths


def review_due(docs_dir: Path, today: dt.date, *, within_days: int = 0, policy: Policy | None = None) -> DueReport:
    """Question pages due for review on `today`, or within `within_days` after it; oldest first."""
    policy = policy or load_policy()
    report = DueReport(today, policy)
    horizon = today + dt.timedelta(days=within_days)
    for rel in page_paths(docs_dir):
        try:
            page = read_page(docs_dir, rel)
        except PageError:
            report.unreadable.append(rel)
            continue
        if page.kind != "question" or page.reviewed is None:
            continue
        due = page.reviewed + dt.timedelta(days=policy.review_max_age_days + 1)
        if due <= horizon:
            report.pages.append(Due(rel, page.title, page.reviewed, due))
    report.pages.sort(key=lambda d: (d.due, d.path))
    return report


def format_report(report: DueReport, docs_label: str = "docs") -> list[str]:
    """Markdown lines: readable in a terminal, and as a job summary on GitHub."""
    period = report.policy.review_max_age_days
    head = f"{report.today.isoformat()}：审核周期 {period} 天"
    if not report.pages:
        lines = [f"{head}，没有需要重新审核的页面。"]
    else:
        lines = [f"{head}，以下 {len(report.pages)} 个页面需要重新审核（核对内容后，把 `reviewed` 改为核对当天的日期）：", ""]
        for due in report.pages:
            left = due.days_left(report.today)
            when = f"已超期 {-left} 天" if left < 0 else ("今天到期" if left == 0 else f"{left} 天后到期")
            lines.append(f"- `{docs_label}/{due.path}` {due.title}（上次审核 {due.reviewed.isoformat()}，{when}）")
    for rel in report.unreadable:
        lines.append(f"- `{docs_label}/{rel}` 无法读取，请运行 `kb check {docs_label}/{rel}` 查看原因。")
    return lines
