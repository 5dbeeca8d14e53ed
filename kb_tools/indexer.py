"""Build the search index: incremental, atomic, one builder at a time.

`build` reads as its phases: under the store's lock (kb_tools.store) it looks at the live
generation (`live_state`), gathers which pages were added, changed or removed (`gather`), writes
a new generation beside the live one (`write_generation`, `add_documents`, `write_metadata`) and
publishes it (`kb_tools.store.publish`). An incremental build copies the live generation and
applies the changes; a full one starts empty. A live generation that Whoosh cannot open is
rebuilt in full (copying it would carry the damage forward). Every failure surfaces as a
KbError with a one-line message and leaves the live generation untouched.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools import engine, store
from kb_tools.errors import IndexBusy, IndexUnavailable, KbError, os_reason
from kb_tools.pages import Library, file_digest, is_searchable, load_library, page_paths
from kb_tools.project import Project
from kb_tools.query import query_dictionary
from kb_tools.text import DATA_DIR, PIPELINE_VERSION, RESOURCE_FILES, IndexSegmenter, Resources, load_resources


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


# -- freshness --------------------------------------------------------------------------------

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


def _stat(project: Project, rel: str) -> list[int]:
    st = (project.docs_dir / rel).stat()
    return [st.st_mtime_ns, st.st_size]


def _current_format(meta: dict) -> bool:
    return (meta.get("pipeline_version") == PIPELINE_VERSION and meta.get("schema_version") == engine.SCHEMA_VERSION
            and isinstance(meta.get("categories"), dict))  # an index from before categories were recorded


def is_stale(project: Project, meta: dict) -> bool:
    """Cheap check (stat calls only): has any input changed since this index was built?"""
    if not _current_format(meta):
        return True
    try:
        return meta.get("snapshot") != source_snapshot(project, project.root / meta["docs_dir"])
    except (KeyError, TypeError, OSError):
        return True


def page_digest(project: Project, page_path: str) -> str:
    return file_digest((project.docs_dir / page_path).read_bytes())


# -- building ---------------------------------------------------------------------------------

@dataclass
class BuildPlan:
    """What a build found and will do: gathered before anything is written."""

    resources: Resources
    snapshot: str
    live: Path | None
    meta: dict
    library: Library  # the pages read and validated: all of them (full) or the changed ones
    digests: dict[str, str]  # every searchable page -> digest of its content
    stats: dict[str, list[int]]  # every searchable page -> [mtime_ns, size] taken before reading
    report: BuildReport


def live_state(project: Project, resources: Resources) -> tuple[Path | None, dict, bool]:
    """The live generation, its meta, and whether it can be updated in place (else: full build)."""
    live, meta = None, {}
    with contextlib.suppress(IndexUnavailable):
        live = store.current_generation(project.index_dir)
        if live is not None:
            meta = store.read_meta(live)
            if not store.opens(live):  # damaged: copying it would carry the damage forward
                live, meta = None, {}
    usable = (live is not None and _current_format(meta) and meta.get("fingerprint") == resources.fingerprint
              and meta.get("site_url") == project.site_url)
    return live, meta, usable


def gather(project: Project, *, full: bool) -> BuildPlan:
    """Read what changed since the live generation. A broken page stops here, index untouched."""
    resources = load_resources()
    snapshot = source_snapshot(project)
    live, meta, usable = live_state(project, resources)
    old = store.read_pages(live) if usable and not full else None
    full = old is None
    old = old or {}
    # Stat before reading: a page edited meanwhile then looks changed to the next build.
    stats = {rel: _stat(project, rel) for rel in page_paths(project.docs_dir) if is_searchable(rel)}
    if full:
        library = load_library(project.docs_dir)
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
    report = BuildReport(None, full)
    report.added = sorted(p for p in digests if p not in old)
    report.changed = sorted(p for p in digests if p in old and old[p][0] != digests[p])
    report.removed = sorted(p for p in old if p not in digests)
    report.pages = len(digests)
    return BuildPlan(resources, snapshot, live, meta, library, digests, stats, report)


def record_checked(project: Project, plan: BuildPlan) -> None:
    """Nothing changed: remember the inputs' snapshot so the next search need not look again."""
    try:
        store.write_json(plan.live / "meta.json", {**plan.meta, "snapshot": plan.snapshot})
    except OSError as err:
        raise IndexUnavailable(f"索引已是最新，但无法记录检查结果：{os_reason(err)}。"
                               f"搜索不受影响；请检查 {project.index_dir} 的权限和磁盘。") from None


def add_documents(writer, todo, progress=None) -> None:
    """Analyse and add each (page, digest); `progress(done, total)` after each page."""
    from kb_tools.documents import documents  # builds only: `kb search`'s freshness check never needs it

    for done, document in enumerate(documents(todo), 1):
        engine.add(writer, document)
        if progress:
            progress(done, len(todo))


def write_generation(project: Project, plan: BuildPlan, tmp: Path, progress=None) -> None:
    """Write the new generation into `tmp`: the Whoosh index, then its metadata."""
    report = plan.report
    if report.full:
        tmp.mkdir()
        ix = engine.create(str(tmp))
    else:
        store.copy_generation(plan.live, tmp)
        ix = engine.open_dir(str(tmp))
    segmenter = IndexSegmenter(plan.resources)
    engine.set_index_segmenter(segmenter)
    pages = plan.library.pages
    todo = [(pages[path], plan.digests[path]) for path in report.added + report.changed]
    from kb_tools.documents import PARALLEL_MIN_PAGES

    large = report.full and len(todo) >= PARALLEL_MIN_PAGES
    writer = engine.writer(ix, processes=(os.cpu_count() or 1) if large else 1)
    try:
        for path in report.changed + report.removed:
            engine.delete(writer, path)
        add_documents(writer, todo, progress)
        writer.commit()
    except BaseException:
        with contextlib.suppress(Exception):  # after a failed commit cancel() fails too; keep the cause
            writer.cancel()
        raise
    write_metadata(project, plan, ix, segmenter, tmp)
    ix.close()


def write_metadata(project: Project, plan: BuildPlan, ix, segmenter: IndexSegmenter, tmp: Path) -> None:
    """What a search needs besides Whoosh (the query dictionary, meta.json) and what the next
    build needs (pages.json)."""
    stats = engine.statistics(ix)
    store.write_json(tmp / "querydict.json",
                     query_dictionary(stats.df, stats.docs, stats.length, segmenter, plan.resources))
    store.write_json(tmp / "pages.json", {rel: [plan.digests[rel], *plan.stats[rel]] for rel in plan.digests})
    store.write_json(tmp / "meta.json", {
        "pipeline_version": PIPELINE_VERSION,
        "schema_version": engine.SCHEMA_VERSION,
        "fingerprint": plan.resources.fingerprint,
        "site_url": project.site_url,
        "docs_dir": project.docs_dir.relative_to(project.root).as_posix(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "snapshot": plan.snapshot,
        "categories": categories(plan),
    })


def categories(plan: BuildPlan) -> dict[str, str]:
    """Category folder -> name, for `kb search --category`: the pages read in this build say it;
    the folders of unchanged pages keep what the live generation recorded."""
    folders = {rel.split("/", 1)[0] for rel in plan.digests if "/" in rel}
    kept = {} if plan.report.full else plan.meta.get("categories", {})
    names = {folder: name for folder, name in kept.items() if folder in folders}
    for page in plan.library.pages.values():
        if page.kind == "question" and page.path in plan.digests:
            names[page.category_dir] = page.category
    return dict(sorted(names.items()))


@contextlib.contextmanager
def _failures_explained(index_dir: Path, tmp: Path, full: bool):
    """A failed write removes its `.tmp-*` and becomes one KbError; the live generation stays."""
    try:
        yield
    except OSError as err:
        store.discard(tmp)
        if err.errno == errno.ENOSPC:
            raise IndexUnavailable("磁盘空间不足，索引未更新（原有索引仍可使用）。请清理磁盘后重新运行 `kb index`。") from None
        raise IndexUnavailable(f"写入索引失败：{os_reason(err)}。原有索引仍可使用；请检查 {index_dir} 的权限和磁盘。") from None
    except Exception as err:
        store.discard(tmp)
        if full:
            raise
        # The live generation opened but its copy could not be updated (damage inside a
        # segment): a full build does not read it.
        raise IndexUnavailable(f"增量更新失败（{type(err).__name__}），原有索引仍可使用。"
                               "请运行 `kb index --full` 重建。") from None
    except BaseException:
        store.discard(tmp)
        raise


def build(project: Project, *, full: bool = False, wait: float = 120.0, progress=None, on_wait=None) -> BuildReport:
    """Bring the index up to date with docs/. `progress(done, total)` is called per page."""
    started = time.monotonic()
    index_dir = project.index_dir
    with store.build_lock(index_dir, wait=wait, on_wait=on_wait):
        store.remove_interrupted(index_dir)
        plan = gather(project, full=full)
        report = plan.report
        if report.up_to_date:
            record_checked(project, plan)
            report.generation = plan.live.name
        else:
            name, tmp = store.new_generation(index_dir)
            with _failures_explained(index_dir, tmp, report.full):
                write_generation(project, plan, tmp, progress)
                store.publish(index_dir, tmp, name)
            store.cleanup(index_dir, name)
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
        live = store.current_generation(index_dir)
        if live is not None:
            state = "damaged"
            meta = store.read_meta(live)
            if store.opens(live):  # a few ms; a damaged segment is rebuilt, not searched
                if not is_stale(project, meta):
                    return None
                state = "stale" if _current_format(meta) else "outdated"
    if state == "missing" and store.has_generations(index_dir):
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
