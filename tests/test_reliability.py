"""Faults: a damaged, missing, locked or unwritable index, and builds that fail or are killed.

Every case runs the real `kb` in a subprocess against a real index in tmp_path. `kb search`
either answers from the last good index or says in one Chinese line how to recover, with a
non-zero exit code; a failed build never touches the last good generation.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb_tools.errors import IndexBusy, IndexUnavailable
from kb_tools.indexer import build, ensure_fresh
from kb_tools.store import current_generation, read_meta
from kb_tools.project import Project
from kb_tools.search import Searcher

from conftest import MKDOCS_YML, ROOT, TINY_PAGES, write_pages

KB = Path(sys.executable).with_name("kb")
QUERY = "停水 赔偿"
ANSWER = "repairs/water-outage.md"
REBUILD = "请运行 `kb index --full` 重建。"

MISSING = "索引不存在，正在建立……\n"
DAMAGED = "索引已损坏，正在重建……\n"
OUTDATED = "索引格式已更新，正在重建……\n"
STALE = "页面有更新，正在更新索引……\n"


def is_fresh(project: Project) -> bool:
    said: list[str] = []
    return ensure_fresh(project, notify=said.append) is None and said == []


def kb(*args: str, limit_file_size: int | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed `kb`; `limit_file_size` makes the kernel refuse writes past that many bytes."""
    preexec = None
    if limit_file_size is not None:
        def preexec():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    proc = subprocess.run([str(KB), *args], capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def search(query: str = QUERY, **kw) -> subprocess.CompletedProcess:
    return kb("search", "--json", query, **kw)


def assert_answers(proc: subprocess.CompletedProcess, stderr: str = "", first: str = ANSWER) -> None:
    assert (proc.returncode, proc.stderr) == (0, stderr)
    assert json.loads(proc.stdout)["results"][0]["path"] == first


def assert_explains(proc: subprocess.CompletedProcess, message: str, code: int = 3, before: str = "") -> None:
    """Exit code, nothing on stdout, and exactly one error line (after any progress lines)."""
    assert (proc.returncode, proc.stdout, proc.stderr) == (code, "", before + f"错误：{message}\n")


def live(project: Project) -> Path:
    generation = current_generation(project.index_dir)
    assert generation is not None and generation.is_dir()
    return generation


def leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.index_dir.glob(".tmp-*"))


def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def segment(generation: Path) -> Path:
    (found,) = generation.glob("*.seg")
    return found


def table_of_contents(generation: Path) -> Path:
    (found,) = generation.glob("_kb_*.toc")
    return found


def set_meta(generation: Path, **changes) -> None:
    meta = read_meta(generation)
    meta.update(changes)
    (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


# -- damage that `kb search` repairs by rebuilding, then answers ----------------------------------

REPAIRED = {
    "index directory missing": (lambda ix, gen: shutil.rmtree(ix), MISSING),
    "index directory empty": (lambda ix, gen: (shutil.rmtree(ix), ix.mkdir()), MISSING),
    "segment truncated": (lambda ix, gen: truncate(segment(gen)), DAMAGED),
    "segment cut to nothing": (lambda ix, gen: truncate(segment(gen), 0), DAMAGED),
    "segment deleted": (lambda ix, gen: segment(gen).unlink(), DAMAGED),
    "table of contents truncated": (lambda ix, gen: truncate(table_of_contents(gen)), DAMAGED),
    "table of contents deleted": (lambda ix, gen: table_of_contents(gen).unlink(), DAMAGED),
    "old pipeline version in meta.json": (lambda ix, gen: set_meta(gen, pipeline_version=0), OUTDATED),
    "old schema version in meta.json": (lambda ix, gen: set_meta(gen, schema_version=0), OUTDATED),
    "meta.json garbage": (lambda ix, gen: (gen / "meta.json").write_bytes(b"\x00{garbage"), DAMAGED),
    "meta.json deleted": (lambda ix, gen: (gen / "meta.json").unlink(), DAMAGED),
    "CURRENT names a missing generation": (lambda ix, gen: (ix / "CURRENT").write_text("gen-19700101000000-1-000000\n"), DAMAGED),
    "CURRENT holds binary garbage": (lambda ix, gen: (ix / "CURRENT").write_bytes(b"\xff\xfe\x00../../etc"), DAMAGED),
    "CURRENT points outside the index": (lambda ix, gen: (ix / "CURRENT").write_text("gen-x/../../../etc\n"), DAMAGED),
    "CURRENT empty": (lambda ix, gen: (ix / "CURRENT").write_text(""), DAMAGED),
    "CURRENT deleted": (lambda ix, gen: (ix / "CURRENT").unlink(), DAMAGED),
    "generation directory deleted": (lambda ix, gen: shutil.rmtree(gen), DAMAGED),
}


@pytest.mark.parametrize("fault", list(REPAIRED))
def test_search_rebuilds_a_damaged_index_and_answers(tiny_index, fault):
    damage, said = REPAIRED[fault]
    before = live(tiny_index)
    damage(tiny_index.index_dir, before)
    assert_answers(search(), stderr=said)
    assert live(tiny_index) != before
    assert is_fresh(tiny_index) and leftovers(tiny_index) == []


# -- damage that leaves nothing to answer from: one line that says how to recover -----------------

def _querydict_message(gen: Path) -> str:
    return f"索引 {gen.name} 的查询词典缺失或损坏。{REBUILD}"


EXPLAINED = {
    "querydict.json truncated": lambda gen: truncate(gen / "querydict.json"),
    "querydict.json deleted": lambda gen: (gen / "querydict.json").unlink(),
    "querydict.json of the wrong shape": lambda gen: (gen / "querydict.json").write_text('{"words": 5}'),
    "querydict.json not UTF-8": lambda gen: (gen / "querydict.json").write_bytes(b"\xff" * 64),
}


@pytest.mark.parametrize("fault", list(EXPLAINED))
def test_damaged_query_dictionary_is_explained_and_the_advice_works(tiny_index, fault):
    gen = live(tiny_index)
    EXPLAINED[fault](gen)
    assert_explains(search(), _querydict_message(gen))
    rebuilt = kb("index", "--full")
    assert rebuilt.returncode == 0 and rebuilt.stdout.startswith("索引已全部重建：新增 3 页"), rebuilt
    assert_answers(search())


@pytest.mark.parametrize("fault", list(EXPLAINED))
def test_damaged_live_generation_falls_back_to_the_previous_one(tiny_index, fault):
    docs = tiny_index.docs_dir
    previous = live(tiny_index)
    write_pages(docs, {"privacy/neighbour-contact.md": (docs / "privacy/neighbour-contact.md").read_text() + "\n快递柜。\n"})
    build(tiny_index)
    damaged = live(tiny_index)
    EXPLAINED[fault](damaged)
    warning = (f"现有索引已损坏（{damaged.name}），本次使用上一版索引 {previous.name} 搜索，结果可能不是最新的。"
               f"{REBUILD}\n")
    assert_answers(search(), stderr=warning)
    # The previous generation predates the last edit: honest about it, but still answering.
    assert (search("快递柜").returncode, live(tiny_index)) == (1, damaged)


@pytest.mark.parametrize("damage", ["truncated", "deleted", "not a mapping"])
def test_damaged_page_digests_make_the_next_build_full(tiny_index, damage):
    gen = live(tiny_index)
    digests = gen / "pages.json"
    {"truncated": lambda: truncate(digests), "deleted": digests.unlink,
     "not a mapping": lambda: digests.write_text("[1, 2]")}[damage]()
    assert_answers(search())  # searching never reads it
    docs = tiny_index.docs_dir
    write_pages(docs, {"repairs/water-outage.md": (docs / "repairs/water-outage.md").read_text() + "\n电梯\n"})
    proc = kb("index")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith("索引已全部重建：新增 3 页，修改 0 页，删除 0 页，共 3 页")
    assert_answers(search("电梯"))


def flip_bytes(path: Path, at: float, count: int = 64) -> None:
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    data[start:start + count] = bytes(b ^ 0xA5 for b in data[start:start + count])
    path.write_bytes(bytes(data))


INCREMENTAL_FAILED = re.compile(r"增量更新失败（\w+），原有索引仍可使用。请运行 `kb index --full` 重建。")


def test_bytes_flipped_inside_a_segment(tiny_index):
    """Damage that Whoosh may only notice when an incremental build merges the segment. At 10
    offsets: the build rebuilds in full (seen at open), updates (the bytes were never read) or
    stops with advice and the live generation untouched; searching answers or explains."""
    ix = tiny_index.index_dir
    pristine = ix.with_name("pristine")
    shutil.copytree(ix, pristine)
    docs = tiny_index.docs_dir
    write_pages(docs, {"repairs/water-outage.md": (docs / "repairs/water-outage.md").read_text() + "\n电梯\n"})
    outcomes: dict[str, list[float]] = {}
    for at in [i / 20 for i in range(1, 20, 2)]:
        shutil.rmtree(ix)
        shutil.copytree(pristine, ix)
        gen = live(tiny_index)
        flip_bytes(segment(gen), at)
        try:
            outcome = "rebuilt" if build(tiny_index).full else "updated"
        except IndexUnavailable as err:
            assert INCREMENTAL_FAILED.fullmatch(str(err)), err
            assert (live(tiny_index), leftovers(tiny_index)) == (gen, [])
            outcome = "refused"
        outcomes.setdefault(outcome, []).append(at)
        with contextlib.suppress(IndexUnavailable), Searcher(tiny_index) as searcher:
            searcher.search(QUERY)
    assert outcomes.get("refused"), outcomes  # the advice path is reached by real damage

    shutil.rmtree(ix)
    shutil.copytree(pristine, ix)
    gen = live(tiny_index)
    flip_bytes(segment(gen), outcomes["refused"][0])
    proc = kb("index")
    assert (proc.returncode, proc.stdout) == (3, "")
    assert proc.stderr.startswith("错误：") and INCREMENTAL_FAILED.fullmatch(proc.stderr[3:-1]), proc.stderr
    assert kb("index", "--full").returncode == 0
    assert_answers(search("电梯"))


# -- the build lock held by another process --------------------------------------------------------

HOLDER = """
import fcntl, sys
with open(sys.argv[1], "a+") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def lock_held_elsewhere(project: Project):
    """A second process holding the build lock (a real flock, as a running `kb index` does) until
    the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(project.index_dir / ".lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        yield
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=10) == 0


def test_index_waits_for_another_builder_and_search_answers_meanwhile(tiny_index):
    with lock_held_elsewhere(tiny_index):
        indexer = subprocess.Popen([str(KB), "index"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert_answers(search())  # the live index needs no lock
        docs = tiny_index.docs_dir
        write_pages(docs, {"repairs/water-outage.md": (docs / "repairs/water-outage.md").read_text() + "\n电梯\n"})
        assert_answers(search(), stderr=STALE + "另一个进程正在更新索引，本次先用现有索引搜索。\n")
        time.sleep(0.5)
        assert indexer.poll() is None  # still waiting
    out, err = indexer.communicate(timeout=60)
    assert (indexer.returncode, err) == (0, "另一个 `kb index` 正在运行，等待它完成……\n")
    assert out.startswith("索引已增量更新：新增 0 页，修改 1 页，删除 0 页，共 3 页")
    assert_answers(search("电梯"))


def test_builder_that_cannot_wait_gives_the_clear_message(tiny_index):
    with lock_held_elsewhere(tiny_index), pytest.raises(IndexBusy) as caught:
        build(tiny_index, full=True, wait=0.5)
    assert (str(caught.value), caught.value.exit_code) == (
        "另一个 `kb index` 正在重建索引。请等它完成后再试（或稍后重新运行）。", 4)


# -- an index that cannot be written ---------------------------------------------------------------

def test_index_path_below_a_regular_file(tiny_index, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    index_dir = blocker / "index"
    monkeypatch.setenv("KB_INDEX_DIR", str(index_dir))
    message = f"无法在 {index_dir} 中创建锁文件：路径中有一段不是目录。请检查索引目录的路径和权限。"
    assert_explains(kb("index"), message)
    assert_explains(search(), message, before=MISSING)


def _chmod_restricts(directory: Path) -> bool:
    probe = directory / ".probe"
    try:
        probe.touch()
    except PermissionError:
        return True
    probe.unlink()
    return False


def test_unwritable_index_directory(tiny_index):
    """chmod a-w on the index directories. As root chmod restricts nothing (CI runs as root), so
    there the kernel refuses the writes instead: RLIMIT_FSIZE=0 in the `kb` process fails every
    write into a file with EFBIG, as a read-only or full file system would fail it."""
    ix = tiny_index.index_dir
    gen = live(tiny_index)
    for directory in (ix, gen):
        directory.chmod(0o555)
    try:
        if _chmod_restricts(ix):
            limit, reason = None, "没有写入权限"
        else:
            assert os.geteuid() == 0  # only root writes through chmod a-w
            limit, reason = 0, "文件超出大小限制"
        assert_answers(search(limit_file_size=limit))
        docs = tiny_index.docs_dir
        write_pages(docs, {"repairs/water-outage.md": (docs / "repairs/water-outage.md").read_text() + "\n电梯\n"})
        failed = f"写入索引失败：{reason}。原有索引仍可使用；请检查 {ix} 的权限和磁盘。"
        assert_answers(search(limit_file_size=limit),
                       stderr=STALE + f"索引未能更新（{failed}），本次使用现有索引搜索。\n")
        assert_explains(kb("index", limit_file_size=limit), failed)
        assert_explains(kb("index", "--full", limit_file_size=limit), failed)
        assert (live(tiny_index), leftovers(tiny_index)) == (gen, [])
    finally:
        for directory in (ix, gen):
            directory.chmod(0o755)
    assert kb("index").returncode == 0
    assert_answers(search("电梯"))


# -- builds that fail midway -----------------------------------------------------------------------

def test_disk_full_midway_keeps_the_last_good_index(tiny_index):
    """The kernel refuses the segment file halfway through writing it (RLIMIT_FSIZE)."""
    gen = live(tiny_index)
    limit = segment(gen).stat().st_size // 2
    assert max(p.stat().st_size for p in gen.glob("*.toc")) < limit  # the failure comes midway, at the segment
    failed = f"写入索引失败：文件超出大小限制。原有索引仍可使用；请检查 {tiny_index.index_dir} 的权限和磁盘。"
    assert_explains(kb("index", "--full", limit_file_size=limit), failed)
    assert (live(tiny_index), leftovers(tiny_index)) == (gen, [])
    assert_answers(search())


def test_simulated_no_space_left_keeps_the_last_good_index(tiny_index, disk_full_midway):
    gen = live(tiny_index)
    with pytest.raises(IndexUnavailable) as caught:
        build(tiny_index, full=True)
    assert str(caught.value) == "磁盘空间不足，索引未更新（原有索引仍可使用）。请清理磁盘后重新运行 `kb index`。"
    assert (live(tiny_index), leftovers(tiny_index)) == (gen, [])
    assert_answers(search())


@pytest.mark.slow
def test_build_killed_midway_leaves_the_previous_generation_answering(tmp_path, monkeypatch):
    """kill -9 of `kb index --full` over 800 generated pages (the parallel path), then recovery."""
    from kb_tools.bench import synthetic_corpus

    project = synthetic_corpus(Project(ROOT), tmp_path / "big", 800)
    monkeypatch.setenv("KB_ROOT", str(project.root))
    monkeypatch.setenv("KB_INDEX_DIR", str(project.index_dir))
    build(project)
    gen = live(project)
    query = "楼上漏水把地板泡了"
    with Searcher(project) as searcher:
        expected = searcher.search(query)[0].path

    proc = subprocess.Popen([str(KB), "index", "--full"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not leftovers(project) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # well into adding 800 pages
        assert proc.poll() is None, "the build ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its forked workers, if still there
        except ProcessLookupError:
            pass

    assert len(leftovers(project)) == 1 and live(project) == gen
    assert_answers(search(query), first=expected)
    cleaned = kb("index")
    assert (cleaned.returncode, cleaned.stdout) == (0, "索引已是最新（800 个页面）。\n")
    assert (leftovers(project), live(project)) == ([], gen)
