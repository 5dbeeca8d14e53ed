"""The index store: the layout of search_index/ and the only code that knows it.

    CURRENT          name of the live generation (replaced atomically)
    gen-<id>/        a complete Whoosh index + querydict.json + pages.json + meta.json
    .tmp-<id>/       a generation being built (removed when a build fails or is interrupted)
    .lock            held by the builder (flock)

The builder (kb_tools.indexer) takes the lock, writes a new generation under `.tmp-*` and
publishes it by pointing CURRENT at it; the searcher (kb_tools.search) resolves CURRENT once per
search and opens what it names, so readers always see a complete index and a failed build
leaves CURRENT untouched. Damage is survived, not repaired in place: a `.tmp-*` left by a
killed builder is removed by the next builder, and readers can fall back to older generations.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from pathlib import Path

from kb_tools import engine
from kb_tools.errors import IndexBusy, IndexUnavailable, os_reason

KEEP_GENERATIONS = 2  # the live one and the one before, for searches that resolved it just now


# -- reading ----------------------------------------------------------------------------------

def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        name = ""
    except OSError as err:
        raise IndexUnavailable(f"无法读取索引指针 {index_dir / 'CURRENT'}：{os_reason(err, reading=True)}。"
                               "请运行 `kb index --full` 重建。") from None
    if not name.startswith("gen-") or "/" in name or "\x00" in name:
        raise IndexUnavailable(f"索引指针 {index_dir / 'CURRENT'} 已损坏。请运行 `kb index --full` 重建。")
    return index_dir / name


def read_meta(generation: Path) -> dict:
    try:
        return json.loads((generation / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexUnavailable(f"索引 {generation.name} 缺少或损坏了 meta.json。请运行 `kb index --full` 重建。") from None


def read_pages(generation: Path) -> dict[str, list] | None:
    """[digest, mtime_ns, size] of each indexed page (only builds need it; searches read meta.json
    alone). None when missing or damaged: the build then rebuilds in full."""
    try:
        data = json.loads((generation / "pages.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(
            isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) for v in data.values()):
        return None
    return data


def opens(generation: Path) -> bool:
    """Whether Whoosh can open this generation and its segments (cheap: no postings are read).

    Whoosh raises many exception types on damaged files (EOFError, UnpicklingError, struct.error …)."""
    try:
        ix = engine.open_dir(str(generation))
        try:
            with engine.open_reader(ix) as reader:
                reader.doc_count()
        finally:
            ix.close()
    except Exception:
        return False
    return True


def generations_newest_first(index_dir: Path) -> list[Path]:
    found = []
    for path in index_dir.glob("gen-*"):
        with contextlib.suppress(OSError):  # removed by a builder's cleanup while we looked
            found.append((path.stat().st_mtime_ns, path))
    return [path for _, path in sorted(found, reverse=True)]


def has_generations(index_dir: Path) -> bool:
    return any(index_dir.glob("gen-*"))


# -- writing (under the lock) -----------------------------------------------------------------

@contextlib.contextmanager
def build_lock(index_dir: Path, *, wait: float, on_wait=None):
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / ".lock", "a+")
    except OSError as err:
        raise IndexUnavailable(f"无法在 {index_dir} 中创建锁文件：{os_reason(err)}。请检查索引目录的路径和权限。") from None
    with handle:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy("另一个 `kb index` 正在重建索引。请等它完成后再试（或稍后重新运行）。") from None
                if on_wait and not told:
                    on_wait()
                    told = True
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def new_generation(index_dir: Path) -> tuple[str, Path]:
    """A fresh generation's name and the `.tmp-*` directory it is written in (not yet created)."""
    name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    return name, index_dir / f".tmp-{name}"


def copy_generation(source: Path, target: Path) -> None:
    """Copy a (flat) generation directory. Unlike shutil.copytree, fail on the first file with its
    own OSError: copytree gathers every failure into one shutil.Error that has no errno."""
    target.mkdir()
    for entry in source.iterdir():
        shutil.copy2(entry, target / entry.name)


def publish(index_dir: Path, tmp: Path, name: str) -> None:
    """Make a complete `.tmp-*` generation the live one: durable first, then CURRENT moves."""
    _fsync_dir(tmp)
    os.rename(tmp, index_dir / name)
    pointer = index_dir / "CURRENT.tmp"
    pointer.write_text(name + "\n", encoding="utf-8")
    os.replace(pointer, index_dir / "CURRENT")
    _fsync_dir(index_dir)


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


def remove_interrupted(index_dir: Path) -> None:
    """Under the build lock every .tmp-* is left by a builder that died (kill -9, power loss)."""
    for tmp in index_dir.glob(".tmp-*"):
        discard(tmp)


def cleanup(index_dir: Path, live: str) -> None:
    """Remove interrupted builds and all but the newest KEEP_GENERATIONS generations."""
    remove_interrupted(index_dir)
    gens = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)
    old = [g for g in gens if g.name != live][: max(0, len(gens) - KEEP_GENERATIONS)]
    for gen in old:
        discard(gen)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
