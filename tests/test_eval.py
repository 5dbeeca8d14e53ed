"""The retrieval quality gate for `kb search`, on the evaluation set kept in the repo."""

from __future__ import annotations

import os
import subprocess
import sys

from kb_tools.evaluate import Case, evaluate, evaluate_parts, format_report, format_table, load_eval_set, score
from kb_tools.search import Searcher

from conftest import ROOT

EVAL_FILE = ROOT / "tests" / "eval" / "queries.yml"
UNSEEN_FILE = ROOT / "tests" / "eval" / "unseen.yml"
KINDS = {"colloquial", "jargon", "voice", "typo", "paraphrase"}


def test_evaluation_set_is_large_and_points_at_real_pages():
    cases = load_eval_set(str(EVAL_FILE))
    assert len(cases) >= 80
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert {e for c in cases for e in c.expect} <= pages


def test_quality_gate(real_index, capsys):
    """CI fails when R@1 < 0.9 or any query returns nothing."""
    cases = load_eval_set(str(EVAL_FILE))
    with Searcher(real_index) as searcher:
        report = evaluate(searcher, cases)
    with capsys.disabled():
        print("\n命令行搜索评测：" + format_report(report).replace("\n", "\n  "))
    assert report.zero_queries == []
    assert report.r1 >= 0.9


def test_metrics_are_computed_from_ranks():
    cases = [Case("a", ("x.md",)), Case("b", ("y.md", "z.md")), Case("c", ("x.md",)), Case("d", ("x.md",))]
    report = score(cases, [["x.md"], ["q.md", "q2.md", "z.md"], ["q.md", "x.md"], []])
    assert (report.at1, report.at3, report.zero) == (1, 3, 1)
    assert report.mrr == (1 + 1 / 3 + 1 / 2 + 0) / 4
    assert [m.rank for m in report.misses] == [3, 2, None]


def test_kb_eval_reports_every_miss(tmp_path):
    bad = tmp_path / "queries.yml"
    bad.write_text("- query: 楼上漏水把地板泡了\n  expect: [management/morning-meeting.md]\n", encoding="utf-8")
    env = dict(os.environ, KB_INDEX_DIR=str(tmp_path / "index"))  # the repo's own index stays untouched
    out = subprocess.run([sys.executable, "-m", "kb_tools", "eval", str(bad)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == [
        "查询数：1", "R@1:0.000   R@3:0.000   MRR@10:0.000   零结果率：0.000"]
    assert "[前 10 名中没有] 楼上漏水把地板泡了" in out.stdout


def test_eval_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "queries.yml"
    bad.write_text("- query: 停水\n  expect: []\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kb_tools", "eval", str(bad)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip() == (f"错误：{bad}:1: expect 必须是页面路径列表，例如 [compensation/soaked-floor.md]"
                                  "（分 part 的评测集里，[] 表示没有页面回答）。")


def test_generalisation_set_has_both_parts_every_kind_and_out_of_scope_questions():
    cases = load_eval_set(str(UNSEEN_FILE))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert {e for c in cases for e in c.expect} <= pages
    for part in ("dev", "test"):
        mine = [c for c in cases if c.part == part]
        assert {c.kind for c in mine if c.expect} == KINDS
        assert sum(not c.expect for c in mine) >= 25
    assert len({c.query for c in cases}) == len(cases)


def test_generalisation_gate_on_the_part_never_tuned_on(real_index, capsys):
    """Floors at today's figures on the test part (issue 9's targets are higher: see the README)."""
    with Searcher(real_index) as searcher:
        overall, parts = evaluate_parts(searcher, load_eval_set(str(UNSEEN_FILE)))
    with capsys.disabled():
        print("\n泛化评测：\n  " + format_table(parts).replace("\n", "\n  "))
    test = parts["test"]
    assert test.r1 >= 0.90 and test.r3 >= 0.97
    assert test.outside_rate >= 0.25  # out-of-scope questions told "no answer"
    assert test.refusal_rate <= 0.10  # answerable questions wrongly told so


def test_verdicts_count_out_of_scope_and_refusals_apart():
    cases = [Case("a", ("x.md",), part="test"), Case("b", (), part="test"), Case("c", (), part="test")]
    report = score(cases, [["x.md"], ["x.md"], []], [False, True, False])
    assert (report.total, report.at1, report.refused) == (1, 1, 1)
    assert (report.outside, report.outside_refused, report.wrongly_answered) == (2, 1, ["b"])
