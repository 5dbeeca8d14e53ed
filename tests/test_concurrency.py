"""Searches keep answering, and answering right, while the index is rebuilt over and over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_pages

KB = Path(sys.executable).with_name("kb")
EXPECTED = {
    "停水 赔偿": "repairs/water-outage.md",
    "楼上漏水把地板泡了": "repairs/soaked-floor.md",
    "想找对门邻居的电话": "privacy/neighbour-contact.md",
}
REBUILDS = 20

# Each searcher loops until the stop file appears, then prints {"searches": n, "failures": [...]}.
IN_PROCESS_SEARCHER = """
import json, os, sys, traceback
from pathlib import Path
from kb_tools.project import Project
from kb_tools.search import Searcher
project, expected, stop = Project(Path(sys.argv[1])), json.loads(sys.argv[2]), Path(sys.argv[3])
searches, failures = 0, []
while not stop.exists() or searches == 0:
    for query, path in expected.items():
        searches += 1
        try:
            with Searcher(project) as searcher:  # a new one each time: CURRENT is resolved afresh
                found = [r.path for r in searcher.search(query)]
            if found[:1] != [path] or searcher.damaged:
                failures.append([query, found, searcher.damaged])
        except Exception:
            failures.append([query, traceback.format_exc()])
print(json.dumps({"searches": searches, "failures": failures}))
"""

CLI_SEARCHER = """
import json, subprocess, sys
from pathlib import Path
kb, expected, stop = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
searches, failures = 0, []
# `kb search` may itself start a build when it sees edited pages, or note that another process holds
# the lock: both are progress lines on stderr. An error line, a traceback or a wrong answer fail.
allowed = ("页面有更新，正在更新索引……", "另一个进程正在更新索引，本次先用现有索引搜索。")
while not stop.exists() or searches == 0:
    for query, path in expected.items():
        searches += 1
        proc = subprocess.run([kb, "search", "--json", query], capture_output=True, text=True, timeout=120)
        try:
            found = [r["path"] for r in json.loads(proc.stdout)["results"]]
        except (ValueError, KeyError, TypeError):
            found = None
        extra = [line for line in proc.stderr.splitlines() if line not in allowed]
        if proc.returncode != 0 or found is None or found[:1] != [path] or extra:
            failures.append([query, proc.returncode, found, proc.stderr])
print(json.dumps({"searches": searches, "failures": failures}))
"""


@pytest.mark.slow
def test_searches_answer_correctly_while_the_index_is_rebuilt(tiny_index, tmp_path, capsys):
    project = tiny_index
    stop = tmp_path / "stop"
    expected = json.dumps(EXPECTED, ensure_ascii=False)
    searchers = [
        subprocess.Popen([sys.executable, "-c", IN_PROCESS_SEARCHER, str(project.root), expected, str(stop)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen([sys.executable, "-c", CLI_SEARCHER, str(KB), expected, str(stop)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)),
    ]
    page = project.docs_dir / "repairs" / "water-outage.md"
    original = page.read_text(encoding="utf-8")
    started = time.monotonic()
    builds = []
    try:
        for i in range(REBUILDS):
            # Alternate: an edited page and an incremental build, then a full rebuild.
            if i % 2 == 0:
                write_pages(project.docs_dir, {"repairs/water-outage.md": original + ("\n电梯停运时也请提前通知。\n" if i % 4 == 0 else "")})
                builds.append(subprocess.run([str(KB), "index"], capture_output=True, text=True, timeout=180))
            else:
                builds.append(subprocess.run([str(KB), "index", "--full"], capture_output=True, text=True, timeout=180))
    finally:
        stop.touch()
        results = [json.loads(s.communicate(timeout=180)[0]) for s in searchers]
    seconds = time.monotonic() - started

    waiting = "另一个 `kb index` 正在运行，等待它完成……\n"  # a `kb search` was building just then
    assert [(b.returncode, b.stderr.replace(waiting, "")) for b in builds] == [(0, "")] * REBUILDS
    assert [r["failures"] for r in results] == [[], []]
    in_process, cli = (r["searches"] for r in results)
    assert in_process >= 100 and cli >= 3 * len(EXPECTED)
    with capsys.disabled():
        print(f"\n[concurrency] {in_process + cli} searches ({in_process} in-process, {cli} `kb search`) during "
              f"{REBUILDS} rebuilds in {seconds:.1f} s: 0 failures")
