"""Retrieval quality as numbers: R@1, R@3, MRR@10 and the zero-result rate over an evaluation set.

The same metrics serve the CLI (`kb eval`), the test gate and the site-search browser gate, so
they are computed from a plain list of ranked paths per query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb_tools.errors import KbError, os_reason


@dataclass(frozen=True)
class Case:
    query: str
    expect: tuple[str, ...]
    kind: str = ""
    line: int = 0


@dataclass
class Miss:
    case: Case
    got: list[str]
    rank: int | None  # 1-based rank of the first expected page, None when not in the top 10


@dataclass
class Report:
    total: int = 0
    at1: int = 0
    at3: int = 0
    rr: float = 0.0
    zero: int = 0
    misses: list[Miss] = field(default_factory=list)
    zero_queries: list[str] = field(default_factory=list)

    @property
    def r1(self) -> float:
        return self.at1 / self.total if self.total else 0.0

    @property
    def r3(self) -> float:
        return self.at3 / self.total if self.total else 0.0

    @property
    def mrr(self) -> float:
        return self.rr / self.total if self.total else 0.0

    @property
    def zero_rate(self) -> float:
        return self.zero / self.total if self.total else 0.0

    def as_json(self) -> dict:
        return {
            "queries": self.total, "r_at_1": round(self.r1, 4), "r_at_3": round(self.r3, 4),
            "mrr_at_10": round(self.mrr, 4), "zero_result_rate": round(self.zero_rate, 4),
            "misses": [{"query": m.case.query, "expect": list(m.case.expect), "got": m.got[:3], "rank": m.rank}
                       for m in self.misses],
        }


def load_eval_set(path: str) -> list[Case]:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            node = yaml.compose(fh, Loader=yaml.SafeLoader)
    except OSError as err:
        raise KbError(f"无法读取评测集：{os_reason(err, reading=True)}。", path=path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise KbError(f"评测集不是有效的 YAML:{getattr(err, 'problem', err)}", path=path,
                      line=mark.line + 1 if mark else None) from None
    data = yaml.safe_load(open(path, encoding="utf-8"))
    if not isinstance(data, list) or node is None:
        raise KbError("评测集应是列表，每项包含 query 和 expect。", path=path)
    cases = []
    for item, item_node in zip(data, node.value):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict) or not isinstance(item.get("query"), str):
            raise KbError("每项需要文字字段 query。", path=path, line=line)
        expect = item.get("expect")
        if isinstance(expect, str):
            expect = [expect]
        if not isinstance(expect, list) or not expect or not all(isinstance(e, str) for e in expect):
            raise KbError("expect 必须是页面路径列表，例如 [compensation/soaked-floor.md]。", path=path, line=line)
        cases.append(Case(item["query"], tuple(expect), str(item.get("kind", "")), line))
    return cases


def score(cases: list[Case], ranked: list[list[str]]) -> Report:
    report = Report(total=len(cases))
    for case, got in zip(cases, ranked):
        got = got[:10]
        rank = next((i + 1 for i, path in enumerate(got) if path in case.expect), None)
        if not got:
            report.zero += 1
            report.zero_queries.append(case.query)
        if rank == 1:
            report.at1 += 1
        if rank is not None and rank <= 3:
            report.at3 += 1
        if rank is not None:
            report.rr += 1 / rank
        if rank != 1:
            report.misses.append(Miss(case, got, rank))
    return report


def evaluate(searcher, cases: list[Case]) -> Report:
    ranked = [[r.path for r in searcher.search(case.query, limit=10)] for case in cases]
    return score(cases, ranked)


def format_report(report: Report) -> str:
    lines = [
        f"查询数：{report.total}",
        f"R@1:{report.r1:.3f}   R@3:{report.r3:.3f}   MRR@10:{report.mrr:.3f}   零结果率：{report.zero_rate:.3f}",
    ]
    if report.misses:
        lines += ["", f"未排第一的查询（{len(report.misses)} 条）："]
        for miss in report.misses:
            where = f"第 {miss.rank} 名" if miss.rank else "前 10 名中没有"
            got = "、".join(miss.got[:3]) or "（无结果）"
            lines.append(f"  [{where}] {miss.case.query[:60]}\n      期望 {miss.case.expect[0]}；实际 {got}")
    return "\n".join(lines)
