"""Retrieval quality as numbers: R@1, R@3, MRR@10 and the zero-result rate over an evaluation set,
and how well the answer/no-answer verdict does: the share of out-of-scope questions (expect: [])
told "no answer", and the share of answerable ones wrongly told so.

The same metrics serve the CLI (`kb eval`), the test gate and the site-search browser gate, so
they are computed from plain lists: ranked paths and the verdict per query. Sets may be split
into parts (dev: tuned on; test: never tuned on) and kinds; `breakdown` reports each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb_tools.errors import KbError, os_reason


@dataclass(frozen=True)
class Case:
    query: str
    expect: tuple[str, ...]  # empty: no page answers it (out of scope)
    kind: str = ""
    line: int = 0
    part: str = ""


def _share(part: float, whole: int) -> float:
    return part / whole if whole else 0.0


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
    outside: int = 0  # out-of-scope questions
    outside_refused: int = 0  # … told "no answer"
    refused: int = 0  # answerable questions told "no answer"
    wrongly_answered: list[str] = field(default_factory=list)

    @property
    def refusal_rate(self) -> float:
        """Answerable questions told "no answer"."""
        return _share(self.refused, self.total)

    @property
    def outside_rate(self) -> float:
        """Out-of-scope questions told "no answer"."""
        return _share(self.outside_refused, self.outside)

    @property
    def r1(self) -> float:
        return _share(self.at1, self.total)

    @property
    def r3(self) -> float:
        return _share(self.at3, self.total)

    @property
    def mrr(self) -> float:
        return _share(self.rr, self.total)

    @property
    def zero_rate(self) -> float:
        return _share(self.zero, self.total)

    def as_json(self) -> dict:
        return {
            "queries": self.total, "r_at_1": round(self.r1, 4), "r_at_3": round(self.r3, 4),
            "mrr_at_10": round(self.mrr, 4), "zero_result_rate": round(self.zero_rate, 4),
            "no_answer_rate": round(self.refusal_rate, 4),
            "out_of_scope": self.outside, "out_of_scope_no_answer_rate": round(self.outside_rate, 4),
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
        if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect) \
                or (not expect and "part" not in item):
            raise KbError("expect 必须是页面路径列表，例如 [compensation/soaked-floor.md]"
                          "（分 part 的评测集里，[] 表示没有页面回答）。", path=path, line=line)
        part = item.get("part", "")
        if part not in ("", "dev", "test"):
            raise KbError("part 只能是 dev 或 test。", path=path, line=line)
        cases.append(Case(item["query"], tuple(expect), str(item.get("kind", "")), line, part))
    return cases


def score(cases: list[Case], ranked: list[list[str]], answered: list[bool] | None = None) -> Report:
    """Metrics over the answerable cases; the verdict's figures over all (when given)."""
    report = Report()
    answered = answered if answered is not None else [True] * len(cases)
    for case, got, said in zip(cases, ranked, answered):
        if not case.expect:
            report.outside += 1
            report.outside_refused += not said
            if said:
                report.wrongly_answered.append(case.query)
            continue
        report.total += 1
        report.refused += not said
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
    return evaluate_parts(searcher, cases)[0]


def breakdown(cases: list[Case], ranked: list[list[str]], answered: list[bool]) -> dict[str, Report]:
    """One report per part and per part × kind ("test", "test/colloquial", …), when the set has parts."""
    groups: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        if case.part:
            groups.setdefault(case.part, []).append(i)
            if case.kind:
                groups.setdefault(f"{case.part}/{case.kind}", []).append(i)
    return {name: score([cases[i] for i in idx], [ranked[i] for i in idx], [answered[i] for i in idx])
            for name, idx in sorted(groups.items(), key=lambda kv: (kv[0].split("/")[0] != "test", kv[0]))}


def evaluate_parts(searcher, cases: list[Case]) -> tuple[Report, dict[str, Report]]:
    ranked, answered = [], []
    for case in cases:
        said, results = searcher.verdict(case.query, limit=10)
        ranked.append([r.path for r in results])
        answered.append(said)
    return score(cases, ranked, answered), breakdown(cases, ranked, answered)


def format_table(parts: dict[str, Report]) -> str:
    lines = ["部分/类型            查询  R@1    R@3    MRR@10 误判无答案  超范围  超范围判无答案"]
    for name, r in parts.items():
        outside = f"{r.outside:5d}  {r.outside_rate:.3f}" if r.outside else "    0  -"
        lines.append(f"{name:20} {r.total:4d}  {r.r1:.3f}  {r.r3:.3f}  {r.mrr:.3f}  {r.refusal_rate:.3f}      {outside}")
    return "\n".join(lines)


def format_report(report: Report) -> str:
    lines = [
        f"查询数：{report.total}",
        f"R@1:{report.r1:.3f}   R@3:{report.r3:.3f}   MRR@10:{report.mrr:.3f}   零结果率：{report.zero_rate:.3f}",
    ]
    if report.outside or report.refused:
        lines.append(f"有答案却判为无答案：{report.refusal_rate:.3f}   超出范围的问题 {report.outside} 条，"
                     f"判为无答案：{report.outside_rate:.3f}")
    if report.misses:
        lines += ["", f"未排第一的查询（{len(report.misses)} 条）："]
        for miss in report.misses:
            where = f"第 {miss.rank} 名" if miss.rank else "前 10 名中没有"
            got = "、".join(miss.got[:3]) or "（无结果）"
            lines.append(f"  [{where}] {miss.case.query[:60]}\n      期望 {miss.case.expect[0]}；实际 {got}")
    return "\n".join(lines)
