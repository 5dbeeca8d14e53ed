"""Build the search index: incremental, atomic, one builder at a time.

Layout of search_index/:

    CURRENT          name of the live generation (replaced atomically)
    gen-<id>/        a complete Whoosh index + querydict.json + meta.json
    .tmp-<id>/       a generation being built (removed when a build fails or is interrupted)
    .lock            held by the builder (flock)

A build copies the live generation, applies the added, changed and removed pages, writes the
query dictionary and only then points CURRENT at the new generation. Readers resolve CURRENT
once per search, so they always see a complete index; a failed build leaves CURRENT untouched.

Damage is survived, not repaired in place: a live generation that Whoosh cannot open is rebuilt
in full by the next build (an incremental build would copy the damage), a `.tmp-*` left by a
killed builder is removed by the next builder, and readers fall back to the previous generation
(see kb_tools.search.Searcher). Every failure surfaces as a KbError with a one-line message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools import engine
from kb_tools.errors import IndexBusy, IndexUnavailable, KbError
from kb_tools.pages import Page, file_digest, is_searchable, load_library, page_paths
from kb_tools.project import Project
from kb_tools.text import (DATA_DIR, PIPELINE_VERSION, RESOURCE_FILES, IndexSegmenter, load_resources,
                           normalize, query_dictionary)

KEEP_GENERATIONS = 2  # the live one and the one before, for searches that resolved it just now


@dataclass
class BuildReport:
    generation: str | None
    full: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0

    @property
    def up_to_date(self) -> bool:
        return not (self.full or self.added or self.changed or self.removed)


# -- locating the live generation -------------------------------------------------------------

def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        name = ""
    except OSError as err:
        raise IndexUnavailable(f"无法读取索引指针 {index_dir / 'CURRENT'}：{os_reason(err)}。请运行 `kb index --full` 重建。") from None
    if not name.startswith("gen-") or "/" in name or "\x00" in name:
        raise IndexUnavailable(f"索引指针 {index_dir / 'CURRENT'} 已损坏。请运行 `kb index --full` 重建。")
    return index_dir / name


def read_meta(generation: Path) -> dict:
    try:
        return json.loads((generation / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexUnavailable(f"索引 {generation.name} 缺少或损坏了 meta.json。请运行 `kb index --full` 重建。") from None


def opens(generation: Path) -> bool:
    """Whether Whoosh can open this generation and its segments (cheap: no postings are read).

    Whoosh raises many exception types on damaged files (EOFError, UnpicklingError, struct.error …)."""
    try:
        ix = engine.open_dir(str(generation))
        try:
            with engine.open_searcher(ix) as searcher:
                searcher.doc_count()
        finally:
            ix.close()
    except Exception:
        return False
    return True


def os_reason(err: OSError) -> str:
    """The reason for a failed file operation, in Chinese where we know it."""
    return _OS_REASONS.get(err.errno, err.strerror or str(err))


_OS_REASONS = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "文件系统是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "文件超出大小限制",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EEXIST: "同名文件已存在",
    errno.ENOENT: "文件或目录不存在",
}


def source_snapshot(project: Project, docs: Path | None = None) -> str:
    """A digest of (path, mtime, size) of every input file: mkdocs.yml, the pages and the
    pipeline's data files. Stat calls only: a search runs it on every start.

    `docs` may be given (from the index's meta) so that a search need not parse mkdocs.yml."""
    entries: list[str] = []
    st = project.config_path.stat()
    entries.append(f"@mkdocs.yml\0{st.st_mtime_ns}\0{st.st_size}")
    docs = str(docs or project.docs_dir)
    skip = len(docs) + 1
    stack = [docs]
    while stack:
        for entry in os.scandir(stack.pop()):
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.name.endswith(".md"):
                try:
                    st = entry.stat()
                except FileNotFoundError:  # removed while we looked: the next snapshot will differ
                    continue
                entries.append(f"{entry.path[skip:]}\0{st.st_mtime_ns}\0{st.st_size}")
    for name in RESOURCE_FILES:
        st = (DATA_DIR / name).stat()
        entries.append(f"@data/{name}\0{st.st_mtime_ns}\0{st.st_size}")
    entries.sort()
    return hashlib.blake2b("\n".join(entries).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _read_pages(generation: Path) -> dict[str, list] | None:
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


def _stat(project: Project, rel: str) -> list[int]:
    st = (project.docs_dir / rel).stat()
    return [st.st_mtime_ns, st.st_size]


def _current_format(meta: dict) -> bool:
    return meta.get("pipeline_version") == PIPELINE_VERSION and meta.get("schema_version") == engine.SCHEMA_VERSION


def is_stale(project: Project, meta: dict) -> bool:
    """Cheap check (stat calls only): has any input changed since this index was built?"""
    if not _current_format(meta):
        return True
    try:
        return meta.get("snapshot") != source_snapshot(project, project.root / meta["docs_dir"])
    except (KeyError, TypeError, OSError):
        return True


# -- locking ----------------------------------------------------------------------------------

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


# -- documents --------------------------------------------------------------------------------

def page_digest(project: Project, page_path: str) -> str:
    return file_digest((project.docs_dir / page_path).read_bytes())


def page_document(page: Page, digest: str) -> dict:
    """The Whoosh document for a page, its text analysed (jieba runs here)."""
    from kb_tools import markdown_text

    body_plain = markdown_text.plain_text(page.body)
    parts = {
        "title": page.title,
        "aliases": "\n".join(page.aliases),
        "tags": " ".join(page.tags),
        "headings": "\n".join(markdown_text.headings(page.body)),
        "category": page.category or "",
        "body": body_plain,
    }
    return {
        "path": page.path,
        "category_id": page.category_dir or "",
        "tag": ",".join(page.tags),
        "title_text": page.title,
        "category_name": page.category or "",
        "body_text": body_plain,
        "digest": digest,
        "status": page.status or "",
        "text": engine.analyse({name: normalize(value) for name, value in parts.items()}),
    }


# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 300
_todo: list = []  # what forked workers analyse, inherited instead of pickled


def _analyze(i: int) -> dict:
    return page_document(*_todo[i])


def _documents(todo: list[tuple[Page, str]]):
    """Documents to add, in order. On large builds jieba runs in forked worker processes (which
    inherit its loaded dictionary) while this process feeds Whoosh, whose writer is serial."""
    workers = os.cpu_count() or 1
    if len(todo) < PARALLEL_MIN_PAGES or workers < 2:
        for page, digest in todo:
            yield page_document(page, digest)
        return
    global _todo
    _todo = todo
    try:
        import multiprocessing  # index builds only: a search never needs it

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_analyze, range(len(todo)), chunksize=16)
    finally:
        _todo = []


# -- building ---------------------------------------------------------------------------------

def _new_generation_name() -> str:
    return f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_generation(source: Path, target: Path) -> None:
    """Copy a (flat) generation directory. Unlike shutil.copytree, fail on the first file with its
    own OSError: copytree gathers every failure into one shutil.Error that has no errno."""
    target.mkdir()
    for entry in source.iterdir():
        shutil.copy2(entry, target / entry.name)


def _remove_interrupted(index_dir: Path) -> None:
    """Under the build lock every .tmp-* is left by a builder that died (kill -9, power loss)."""
    for tmp in index_dir.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


def _cleanup(index_dir: Path, live: str) -> None:
    """Remove interrupted builds and all but the newest KEEP_GENERATIONS generations."""
    _remove_interrupted(index_dir)
    gens = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)
    old = [g for g in gens if g.name != live][: max(0, len(gens) - KEEP_GENERATIONS)]
    for gen in old:
        shutil.rmtree(gen, ignore_errors=True)


def build(project: Project, *, full: bool = False, wait: float = 120.0, progress=None, on_wait=None,
          _fail_after: int | None = None) -> BuildReport:
    """Bring the index up to date with docs/. `progress(done, total)` is called per page."""
    started = time.monotonic()
    index_dir = project.index_dir
    with build_lock(index_dir, wait=wait, on_wait=on_wait):
        _remove_interrupted(index_dir)
        resources = load_resources()
        snapshot = source_snapshot(project)
        live = None
        meta: dict = {}
        with contextlib.suppress(IndexUnavailable):
            live = current_generation(index_dir)
            if live is not None:
                meta = read_meta(live)
                if not opens(live):  # damaged: copying it would carry the damage forward
                    live, meta = None, {}
        if (
            live is None
            or not _current_format(meta)
            or meta.get("fingerprint") != resources.fingerprint
            or meta.get("site_url") != project.site_url
        ):
            full = True
        old = None if full else _read_pages(live)
        if old is None:
            full, old = True, {}
        # Stat before reading: a page edited meanwhile then looks changed to the next build.
        stats = {rel: _stat(project, rel) for rel in page_paths(project.docs_dir) if is_searchable(rel)}
        if full:
            library = load_library(project.docs_dir)  # a broken page stops here, index untouched
            stats = {path: stat for path, stat in stats.items() if path in library.pages}  # gone meanwhile
            digests = {path: library.pages[path].digest for path in stats}
        else:
            # Only pages whose content changed are read and validated again: the others were
            # valid when the live index was built. A file whose (mtime, size) is unchanged keeps
            # its recorded digest without being read.
            digests = {rel: old[rel][0] if old.get(rel, [None])[1:] == stat else page_digest(project, rel)
                       for rel, stat in stats.items()}
            fresh = [rel for rel, digest in digests.items() if old.get(rel, [None])[0] != digest]
            library = load_library(project.docs_dir, fresh)
        pages = {p.path: p for p in library.pages.values() if p.searchable}
        report = BuildReport(None, full)
        report.added = sorted(p for p in digests if p not in old)
        report.changed = sorted(p for p in digests if p in old and old[p][0] != digests[p])
        report.removed = sorted(p for p in old if p not in digests)
        report.pages = len(digests)
        if report.up_to_date:
            meta["snapshot"] = snapshot
            try:
                _write_json(live / "meta.json", meta)
            except OSError as err:
                raise IndexUnavailable(f"索引已是最新，但无法记录检查结果：{os_reason(err)}。"
                                       f"搜索不受影响；请检查 {index_dir} 的权限和磁盘。") from None
            report.generation = live.name
            report.seconds = time.monotonic() - started
            return report

        name = _new_generation_name()
        tmp = index_dir / f".tmp-{name}"
        try:
            if full:
                tmp.mkdir()
                ix = engine.create(str(tmp))
            else:
                _copy_generation(live, tmp)
                ix = engine.open_dir(str(tmp))
            segmenter = IndexSegmenter(resources)
            engine.set_index_segmenter(segmenter)
            todo = [(pages[path], digests[path]) for path in report.added + report.changed]
            large = full and len(todo) >= PARALLEL_MIN_PAGES
            writer = engine.writer(ix, processes=(os.cpu_count() or 1) if large else 1)
            try:
                for path in report.changed + report.removed:
                    engine.delete(writer, path)
                for done, document in enumerate(_documents(todo), 1):
                    if _fail_after is not None and done > _fail_after:
                        raise OSError(errno.ENOSPC, "simulated failure")
                    engine.add(writer, document)
                    if progress:
                        progress(done, len(todo))
                writer.commit()
            except BaseException:
                with contextlib.suppress(Exception):  # after a failed commit cancel() fails too; keep the cause
                    writer.cancel()
                raise
            with ix.searcher() as searcher:
                docs = searcher.doc_count()
            _write_json(tmp / "querydict.json", query_dictionary(engine.vocabulary(ix), docs, segmenter, resources))
            _write_json(tmp / "pages.json", {rel: [digests[rel], *stats[rel]] for rel in digests})
            _write_json(tmp / "meta.json", {
                "pipeline_version": PIPELINE_VERSION,
                "schema_version": engine.SCHEMA_VERSION,
                "fingerprint": resources.fingerprint,
                "site_url": project.site_url,
                "docs_dir": project.docs_dir.relative_to(project.root).as_posix(),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "snapshot": snapshot,
            })
            ix.close()
            _fsync_dir(tmp)
            os.rename(tmp, index_dir / name)
            pointer = index_dir / "CURRENT.tmp"
            pointer.write_text(name + "\n", encoding="utf-8")
            os.replace(pointer, index_dir / "CURRENT")
            _fsync_dir(index_dir)
        except OSError as err:
            shutil.rmtree(tmp, ignore_errors=True)
            if err.errno == errno.ENOSPC:
                raise IndexUnavailable("磁盘空间不足，索引未更新（原有索引仍可使用）。请清理磁盘后重新运行 `kb index`。") from None
            raise IndexUnavailable(f"写入索引失败：{os_reason(err)}。原有索引仍可使用；请检查 {index_dir} 的权限和磁盘。") from None
        except Exception as err:
            shutil.rmtree(tmp, ignore_errors=True)
            if full:
                raise
            # The live generation opened but its copy could not be updated (damage inside a
            # segment): a full build does not read it.
            raise IndexUnavailable(f"增量更新失败（{type(err).__name__}），原有索引仍可使用。"
                                   "请运行 `kb index --full` 重建。") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _cleanup(index_dir, name)
        report.generation = name
        report.seconds = time.monotonic() - started
        return report


def ensure_fresh(project: Project, *, notify) -> BuildReport | None:
    """Build when the index is missing, damaged or older than the pages (used by `kb search`).

    Only a missing index makes a failed build stop the search. With an index there, even a
    damaged one, the search goes on with what there is (kb_tools.search.Searcher falls back to
    the previous generation) and `notify` says why the index was not updated."""
    index_dir = project.index_dir
    state = "missing"
    with contextlib.suppress(IndexUnavailable):
        live = current_generation(index_dir)
        if live is not None:
            state = "damaged"
            meta = read_meta(live)
            if opens(live):  # a few ms; a damaged segment is rebuilt, not searched
                if not is_stale(project, meta):
                    return None
                state = "stale" if _current_format(meta) else "outdated"
    if state == "missing" and any(index_dir.glob("gen-*")):
        state = "damaged"  # CURRENT is unreadable but generations are there
    notify({"missing": "索引不存在，正在建立……", "damaged": "索引已损坏，正在重建……",
            "outdated": "索引格式已更新，正在重建……", "stale": "页面有更新，正在更新索引……"}[state])
    try:
        return build(project, wait=120.0 if state == "missing" else 0)
    except IndexBusy:
        if state == "missing":
            raise
        notify("另一个进程正在更新索引，本次先用现有索引搜索。")
        return None
    except KbError as err:
        if state == "missing":
            raise
        notify(f"索引未能更新（{err}），本次使用现有索引搜索。")
        return None
