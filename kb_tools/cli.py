"""The `kb` command line: parse arguments (kb_tools.arguments), call the modules, print.
Messages are in Chinese.
"""

from __future__ import annotations

import json
import os
import re
import sys

from kb_tools.arguments import build_parser
from kb_tools.errors import KbError

EXIT_OK, EXIT_ERROR = 0, 1


# -- output helpers ---------------------------------------------------------------------------

class Style:
    def __init__(self, stream):
        self.on = stream.isatty() and not os.environ.get("NO_COLOR")

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def _project():
    from kb_tools.project import find_project

    return find_project()


def _searcher(project):
    """The index to answer from; says so when the live one is damaged and an older one answers."""
    from kb_tools.search import Searcher

    searcher = Searcher(project)
    if searcher.damaged:
        _warn(f"现有索引已损坏（{searcher.damaged}），本次使用上一版索引 {searcher.generation.name} 搜索，"
              "结果可能不是最新的。请运行 `kb index --full` 重建。")
    return searcher


# -- commands ---------------------------------------------------------------------------------

def cmd_search(args) -> int:
    from kb_tools.indexer import ensure_fresh

    project = _project()
    ensure_fresh(project, notify=_warn)
    query = " ".join(args.query)
    with _searcher(project) as searcher:
        category = None if args.category is None else searcher.resolve_category(args.category)
        answer = searcher.ask(query, limit=args.limit, category=category, tag=args.tag)
    results = answer.results
    if args.json:
        print(json.dumps(answer.as_json(), ensure_ascii=False, indent=2))
        return EXIT_OK if answer.answered else EXIT_ERROR
    if not answer.answered:
        print("知识库里没有直接回答这个问题的页面。" + ("以下页面可能相关：" if results else
              "可以换个说法，或只输入关键词，例如：kb search 停水 赔偿"))
        if results:
            print()
    style = Style(sys.stdout)
    for rank, r in enumerate(results, 1):
        flag = style("（待审核）", "33") if r.status == "needs-review" else ""
        label = "" if answer.answered else style("可能相关 ", "2")
        category = f"  [{r.category}]" if r.category else ""  # the law and about pages have none
        print(f"{rank}. {label}{style(r.title, '1')}{category}{flag}")
        print("   " + _highlight(r.snippet, r.spans, style))
        print("   " + style(r.url, "36"))
        print("   " + style(f"docs/{r.path}", "2"))
        if rank < len(results):
            print()
    if not answer.answered:
        _print_contact(project)
    return EXIT_OK if answer.answered else EXIT_ERROR


def _print_contact(project) -> None:
    """Who to ask when nothing answers: the contact configured for the site (mkdocs.yml)."""
    from kb_tools.contact import contact_line

    try:
        line = contact_line(project)
    except KbError as err:  # a deployment mistake must not hide the search's answer
        _warn(f"mkdocs.yml 的联系方式设置有误，未显示：{err}")
        return
    if line:
        print("\n" + line)


def _highlight(snippet: str, spans, style) -> str:
    out, last = [], 0
    for a, b in spans:
        out += [snippet[last:a], style(snippet[a:b], "1;33")]
        last = b
    out.append(snippet[last:])
    return "".join(out)


def cmd_show(args) -> int:
    """The page as text: headings and paragraphs, no Markdown or HTML, no control characters."""
    from kb_tools import site
    from kb_tools.page_text import lines
    from kb_tools.pages import load_library, resolve_link

    project = _project()
    library = load_library(project.docs_dir)
    wanted = " ".join(args.page).strip()
    page = library.find(wanted, project.site_url)
    style = Style(sys.stdout)
    print(style(page.title, "1"))
    facts = [f"分类：{page.category}" if page.category else "", f"状态：{_status(page.status)}" if page.status else "",
             project.page_url(page.path)]
    print(style("  ".join(f for f in facts if f), "2"))
    print()
    def link(target: str) -> str | None:
        if re.match(r"(?:https?|mailto|tel):", target):
            return target
        path, _, anchor = target.partition("#")
        resolved = resolve_link(page.path, path) if path.endswith(".md") else (page.path if not path else None)
        if resolved is None:
            return None
        return project.page_url(resolved) + (f"#{anchor}" if anchor else "")

    for n, (kind, text) in enumerate(lines(site.decorate(page, page.body, library), link)):
        print({"heading": ("\n" if n else "") + style(text, "1"), "label": style(text, "1")}.get(kind, text))
    return EXIT_OK


def _status(status: str) -> str:
    from kb_tools.frontmatter import STATUSES

    return STATUSES.get(status, status)


def cmd_index(args) -> int:
    from kb_tools.indexer import build

    project = _project()
    bar = _ProgressBar(sys.stderr)
    try:
        report = build(project, full=args.full, progress=bar.update,
                       on_wait=lambda: _warn("另一个 `kb index` 正在运行，等待它完成……"))
    finally:
        bar.close()
    if report.up_to_date:
        print(f"索引已是最新（{report.pages} 个页面）。")
    else:
        kind = "全部重建" if report.full else "增量更新"
        print(f"索引已{kind}：新增 {len(report.added)} 页，修改 {len(report.changed)} 页，"
              f"删除 {len(report.removed)} 页，共 {report.pages} 页，用时 {report.seconds:.1f} 秒。")
    return EXIT_OK


class _ProgressBar:
    """A one-line bar on a terminal for builds long enough to need one; silent otherwise."""

    MIN_PAGES = 200

    def __init__(self, stream):
        self.stream = stream
        self.shown = False

    def update(self, done: int, total: int) -> None:
        if total < self.MIN_PAGES or not self.stream.isatty():
            return
        if done != total and done % 50:
            return
        width = 30
        filled = width * done // total
        self.stream.write(f"\r建立索引 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")


def cmd_eval(args) -> int:
    from kb_tools.evaluate import evaluate_parts, format_report, format_table, load_eval_set
    from kb_tools.indexer import ensure_fresh

    project = _project()
    paths = [args.file] if args.file else [str(p) for p in sorted((project.root / "tests" / "eval").glob("*.yml"))]
    sets = {path: load_eval_set(path) for path in paths}
    ensure_fresh(project, notify=_warn)
    out = {}
    with _searcher(project) as searcher:
        for path, cases in sets.items():
            out[path] = evaluate_parts(searcher, cases)
    if args.json:
        print(json.dumps({path: {**overall.as_json(), "parts": {k: v.as_json() for k, v in parts.items()}}
                          for path, (overall, parts) in out.items()}, ensure_ascii=False, indent=2))
        return EXIT_OK
    for i, (path, (overall, parts)) in enumerate(out.items()):
        if len(out) > 1:
            print(("\n" if i else "") + f"== {os.path.basename(path)} ==")
        print(format_table(parts) + "\n" if parts else "", end="")
        print(format_report(overall))
    return EXIT_OK


def cmd_serve(args) -> int:
    from kb_tools import sitebuild
    from kb_tools.indexer import ensure_fresh

    project = _project()
    report = _check_and_print(project, None)
    if report.errors:
        _warn("预览中这些页面可能显示不正确；改正后浏览器会自动刷新，再运行 `kb check` 确认。")
    ensure_fresh(project, notify=_warn)
    from urllib.parse import urlsplit

    # mkdocs serve mounts the site under site_url's path (/wuye-kb/); / redirects there.
    path = urlsplit(project.site_url).path or "/"
    print(f"网站预览：http://{args.addr}{path}  （按 Ctrl+C 停止）", flush=True)
    os.chdir(project.root)
    command = sitebuild.mkdocs_command("serve", "--dev-addr", args.addr)
    os.execve(command[0], command, sitebuild.mkdocs_env())
    return EXIT_OK  # pragma: no cover - exec does not return


def cmd_build(args) -> int:
    from kb_tools import sitebuild

    project = _project()
    report = _check_and_print(project, None)
    if report.errors:
        _warn("没有构建网站：请先改正上面的错误。")
        return EXIT_ERROR
    result = sitebuild.build(project, args.site_dir)
    if not result.ok:
        _warn(result.log.rstrip())
        _warn("网站构建失败（上面是 MkDocs 的原始信息）。请把它附在拉取请求或问题报告中，请维护者处理。")
        return EXIT_ERROR
    print(f"网站已生成到 {os.path.relpath(result.site_dir)}。")
    return EXIT_OK


def _check_and_print(project, files, *, fix: bool = False):
    """Run `kb check` and print what it found, as `kb check` does."""
    from kb_tools.checks import run_checks

    report = run_checks(project, files, fix=fix, notify=_warn)
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for finding in report.findings:
        print(finding)
        if annotate:
            print(finding.annotation())
    for note in report.notes:
        _warn(note)
    _warn(report.summary())
    return report


def cmd_check(args) -> int:
    if args.markdown:
        return _check_markdown(args)
    report = _check_and_print(_project(), args.files or None, fix=args.fix)
    return EXIT_ERROR if report.errors else EXIT_OK


def _check_markdown(args) -> int:
    from kb_tools.checks import run_checks, summary
    from kb_tools.checks.runner import resolve_targets

    project = _project()
    rels = resolve_targets(project, args.files) if args.files else []
    report = run_checks(project, args.files, fix=args.fix, notify=_warn) if rels else None
    print(summary.markdown(project, rels, report.findings if report else []), end="")
    return EXIT_ERROR if report and report.errors else EXIT_OK


def cmd_new(args) -> int:
    from kb_tools import scaffold
    from kb_tools.checks import run_checks
    from kb_tools.pages import load_library

    project = _project()
    given = {"--category": args.category, "--tag": args.tag, "--alias": args.alias, "--slug": args.slug}
    missing = [flag for flag, value in given.items() if not value]
    if missing and not sys.stdin.isatty():
        raise scaffold.ScaffoldError(
            f"不在终端中运行，无法逐项询问。请用参数给出 {'、'.join(missing)}，例如：\n"
            "  kb new 停电了，物业要提前通知吗？ --category 损失与赔偿 --tag 停电 --alias 停电前物业会通知吗 --slug power-outage")
    library = load_library(project.docs_dir)
    title = scaffold.clean_title(" ".join(args.title))
    if missing:
        print(f"新建问题页面：{title}")
    try:
        folder, tags, aliases, slug = scaffold.ask_missing(
            project, library, category=args.category, tags=list(args.tag), aliases=list(args.alias), slug=args.slug,
            ask=input, tell=print)
    except EOFError:
        _warn("\n已取消，没有创建页面。")
        return EXIT_ERROR
    created = scaffold.create_page(project, title=title, category=folder, tags=tags, aliases=aliases, slug=slug)
    shown = lambda path: os.path.relpath(path, project.root)  # noqa: E731
    print(f"已创建 {shown(created.path)}（状态：待审核）。")
    if created.index_updated:
        print(f"已把链接加入 {shown(created.index_updated)} 的问题列表。")
    report = run_checks(project, [str(created.path)], notify=_warn)
    for finding in report.findings:
        print(finding)
    print("下一步：\n"
          "  1. 打开这个文件，把“待填写”换成真正的内容；\n"
          f"  2. 运行 kb check {shown(created.path)} 检查；\n"
          "  3. 审核通过后，把 status 改为 published，reviewed 改为审核当天的日期。")
    return EXIT_ERROR if report.errors else EXIT_OK


def cmd_import(args) -> int:
    from pathlib import Path

    from kb_tools.importer import plan_import, report_lines, write_import

    project = _project()
    plan = plan_import(project, Path(args.file), category=args.category, prefix=args.prefix, tags=args.tag,
                       date=args.date)
    if not args.dry_run:
        write_import(project, plan)
    print("\n".join(report_lines(plan, dry_run=args.dry_run)))
    if args.dry_run or not plan.drafts:
        return EXIT_OK
    report = _check_and_print(project, [str(project.docs_dir / d.rel) for d in plan.drafts])
    print("下一步：逐页核对问题和答案，补上标签和其他问法，审核通过后把 status 改为 published。")
    return EXIT_ERROR if report.errors else EXIT_OK


def cmd_review_due(args) -> int:
    from kb_tools import clock
    from kb_tools.review import format_report, review_due

    project = _project()
    report = review_due(project.docs_dir, clock.today(), within_days=args.within)
    docs_label = os.path.relpath(project.docs_dir, project.root)
    print("\n".join(format_report(report, docs_label)))
    return EXIT_OK


def cmd_urls(args) -> int:
    from kb_tools import redirects

    project = _project()
    if args.update:
        added = redirects.update_manifest(project)
        if added:
            print(f"已在 {redirects.URLS_FILE} 中登记 {len(added)} 个新网址：")
            for url in added:
                print(f"  {url}")
        else:
            print(f"{redirects.URLS_FILE} 已是最新，没有新网址。")
        return EXIT_OK
    for url, rel in sorted(redirects.current_urls(project.docs_dir).items()):
        print(f"{url}  docs/{rel}")
    for redirect in redirects.load_redirects(project.root, project.docs_dir).entries:
        print(f"{redirects.url_path(redirect.old)}  → docs/{redirect.new}{redirect.fragment}（重定向）")
    missing = redirects.uncovered(project)
    for url, line, _ in missing:
        print(f"{url}  （已发布，但没有页面也没有重定向：{redirects.URLS_FILE} 第 {line} 行）")
    return EXIT_ERROR if missing else EXIT_OK


COMMANDS = {"search": cmd_search, "show": cmd_show, "index": cmd_index, "eval": cmd_eval, "serve": cmd_serve,
            "build": cmd_build, "check": cmd_check, "new": cmd_new, "import": cmd_import, "review-due": cmd_review_due,
            "urls": cmd_urls}


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A lone surrogate from the terminal (sys.argv uses surrogateescape) or a narrow
        # PYTHONIOENCODING must not turn a message that echoes the input into a traceback.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KbError as err:
        _warn(f"错误：{err}")
        return err.exit_code
    except KeyboardInterrupt:
        _warn("已中断。")
        return 130
    except BrokenPipeError:
        # `kb search … | head`: the reader left; nothing more to say.
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
