"""The retrieval quality gate for `kb search`, on the evaluation set kept in the repo."""

from __future__ import annotations

import os
import subprocess
import sys

from kb_tools.evaluate import Case, evaluate, format_report, load_eval_set, score
from kb_tools.search import Searcher

from conftest import ROOT

EVAL_FILE = ROOT / "tests" / "eval" / "queries.yml"


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
    assert out.stderr.strip() == f"错误：{bad}:1: expect 必须是页面路径列表，例如 [compensation/soaked-floor.md]。"
