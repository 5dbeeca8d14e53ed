"""The `kb` command line: parse arguments, call the modules, print. Messages are in Chinese.

argparse rather than click: it costs nothing to import, and `kb search` is started cold for
every question a caller asks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from kb_tools import __version__
from kb_tools.errors import KbError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


# argparse looks its messages up through the module-level gettext alias at call time.
argparse._ = _zh  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：错误：{message}\n（运行 `{self.prog} --help` 查看用法。）\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("必须在 1 到 1000 之间")
    return value


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if not 0 <= value <= 3650:
        raise argparse.ArgumentTypeError("必须在 0 到 3650 之间")
    return value


def _iso_date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是 YYYY-MM-DD 格式的日期") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kb",
        description="物业知识库命令行工具：搜索答案、查看页面、建立索引、检查页面。",
        epilog="示例：kb search 楼上漏水把地板泡了",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("search", help="用自然的中文问题搜索知识库",
                       description="搜索知识库。可以直接输入业主的原话、关键词、繁体字或法律用语。"
                                   "找到结果时退出码为 0，没有结果时为 1。",
                       epilog="示例：kb search 想找对门邻居的联系方式")
    p.add_argument("query", nargs="+", metavar="问题", help="要搜索的问题或关键词")
    p.add_argument("-n", "--limit", type=_positive_int, default=5, metavar="N", help="最多显示 N 条结果（默认 5）")
    p.add_argument("--category", metavar="分类", help="只在某个分类中搜索（分类名称或目录名，例如 损失与赔偿 或 compensation)")
    p.add_argument("--tag", metavar="标签", help="只搜索带有该标签的页面")
    p.add_argument("--json", action="store_true", help="以 JSON 数组输出结果（按相关度从高到低）")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", help="在终端中显示一个页面",
                       description="显示页面全文。可以给出页面路径（如 compensation/soaked-floor.md）、网址或标题。")
    p.add_argument("page", nargs="+", metavar="页面", help="页面路径、网址或标题")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("index", help="建立或更新搜索索引",
                       description="只处理新增、修改和删除的页面；建好后才替换旧索引，中途失败不影响原有索引。")
    p.add_argument("--full", action="store_true", help="忽略现有索引，全部重建")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("eval", help="用评测集衡量搜索质量",
                       description="运行评测集（YAML：查询 → 期望页面），输出 R@1、R@3、MRR@10、零结果率和每一条未命中。")
    p.add_argument("file", nargs="?", metavar="文件", help="评测集文件（默认 tests/eval/queries.yml)")
    p.add_argument("--json", action="store_true", help="以 JSON 输出指标")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="在本机预览网站（搜索可用）",
                       description="先运行 kb check 并显示结果，再更新索引、启动 MkDocs 预览服务器；"
                                   "修改页面后浏览器会自动刷新。")
    p.add_argument("--addr", default="127.0.0.1:8000", metavar="地址:端口", help="监听地址（默认 127.0.0.1:8000）")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("build", help="先检查页面，再构建网站",
                       description="先运行 kb check（输出与 kb check 相同）；有错误时不构建，请按提示改正。"
                                   "没有错误时运行 mkdocs build --strict，把网站生成到 site/ 目录。",
                       epilog="示例：kb build --site-dir /tmp/site")
    p.add_argument("--site-dir", metavar="目录", help="网站的输出目录（默认 site/）")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="检查页面：格式、链接、隐私、法律引用和中文排版",
                       description="按 CONTRIBUTING.md 中编号的规则（KB101 等）检查页面，每个问题输出一行"
                                   " `文件:行号: 规则: 说明`。不给文件时检查全部页面和已发布的网址。"
                                   "有错误时退出码为 1，只有警告时为 0；在 GitHub Actions 中还会在拉取请求上标注。",
                       epilog="示例：kb check docs/compensation/water-outage.md")
    p.add_argument("files", nargs="*", metavar="文件", help="要检查的页面或目录（默认检查全部）")
    p.add_argument("--fix", action="store_true",
                   help="自动修正排版问题（半角标点、形近字符、中英文之间的空格），其余内容保持不变")
    p.add_argument("--markdown", action="store_true",
                   help="以 Markdown 表格列出给出的页面、它们的标题和状态，以及检查结果（用于拉取请求的摘要）")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("new", help="新建一个问题页面",
                       description="按标题新建问题页面，front matter 自动填好（状态为待审核，审核日期为今天）。"
                                   "在终端中运行时会询问缺少的分类、标签、其他问法和文件名；"
                                   "不在终端中运行（例如在脚本里）时必须用参数给出。",
                       epilog="示例：kb new 停电了，物业要提前通知吗？ --category 损失与赔偿 --tag 停电 "
                              "--alias 停电前物业会通知吗 --slug power-outage")
    p.add_argument("title", nargs="+", metavar="标题", help="页面标题：一句完整的问题")
    p.add_argument("--category", metavar="分类", help="分类名称或目录名，例如 损失与赔偿 或 compensation")
    p.add_argument("--tag", action="append", default=[], metavar="标签", help="标签，可以重复使用本参数给出多个")
    p.add_argument("--alias", action="append", default=[], metavar="其他问法",
                   help="业主可能怎样问同一个问题，可以重复使用本参数给出多个")
    p.add_argument("--slug", metavar="文件名", help="文件名：小写英文单词，用连字符连接，例如 power-outage")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="把一篇文章导入为待审核的问题页面",
                       description="读入一篇文章（纯文本、Markdown 或 HTML 文件），每找到一个问题就新建一个待审核的问题页面："
                                   "问题作标题，答案作正文，出处（文章标题、日期、第几节）按文章填好。网页的导航、浏览次数、"
                                   "投票按钮、评论区和广告会去掉，并逐条列出去掉了什么、为什么。不会覆盖已有的页面。",
                       epilog="示例：kb import 文章.txt --category 沟通与投诉 --prefix owner-faq")
    p.add_argument("file", metavar="文章", help="文章文件：.txt、.md 或 .html（UTF-8 或 GBK 编码）")
    p.add_argument("--category", required=True, metavar="分类", help="页面放入的分类：分类名称或目录名，例如 沟通与投诉 或 service")
    p.add_argument("--prefix", metavar="前缀",
                   help="文件名前缀：小写英文单词，用连字符连接；文件名是“前缀-节号.md”（默认 imported-文章日期）")
    p.add_argument("--tag", action="append", default=[], metavar="标签", help="给每个页面都加上的标签，可以重复使用本参数")
    p.add_argument("--date", type=_iso_date, metavar="日期", help="文章的发布日期（YYYY-MM-DD），文章里没有写明时必须给出")
    p.add_argument("--dry-run", action="store_true", help="只列出将要创建的页面和去掉的内容，不写入文件")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("review-due", help="列出需要重新审核的页面",
                       description="列出审核日期已超过审核周期（kb_tools/data/check_policy.yml，与规则 KB107 相同）的页面，"
                                   "最早到期的在前。只是提醒：无论有没有到期的页面，退出码都是 0。",
                       epilog="示例：kb review-due --within 30")
    p.add_argument("--within", type=_days, default=0, metavar="天数",
                   help="把今后这么多天内到期的页面也列出来（默认 0：只列已到期的）")
    p.set_defaults(func=cmd_review_due)

    p = sub.add_parser("urls", help="列出或登记网站已发布的网址",
                       description="列出每个页面的网址、重定向，以及已发布却没有页面的网址（有则退出码为 1）。"
                                   "--update 把当前页面的网址追加到 kb_tools/data/published_urls.txt（发布流程在每次发布后运行）。")
    p.add_argument("--update", action="store_true", help="把当前页面的网址追加到已发布网址清单")
    p.set_defaults(func=cmd_urls)
    return parser


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
        category = _category_filter(searcher, args.category)
        results = searcher.search(query, limit=args.limit, category=category, tag=args.tag)
    if args.json:
        print(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
        return EXIT_OK if results else EXIT_ERROR
    if not results:
        _warn("没有找到相关内容。可以换个说法，或只输入关键词，例如：kb search 停水 赔偿")
        return EXIT_ERROR
    style = Style(sys.stdout)
    for rank, r in enumerate(results, 1):
        flag = style("（待审核）", "33") if r.status == "needs-review" else ""
        print(f"{rank}. {style(r.title, '1')}  [{r.category}]{flag}")
        print("   " + _highlight(r.snippet, r.spans, style))
        print("   " + style(r.url, "36"))
        print("   " + style(f"docs/{r.path}", "2"))
        if rank < len(results):
            print()
    return EXIT_OK


def _highlight(snippet: str, spans, style) -> str:
    out, last = [], 0
    for a, b in spans:
        out += [snippet[last:a], style(snippet[a:b], "1;33")]
        last = b
    out.append(snippet[last:])
    return "".join(out)


def _category_filter(searcher, value: str | None) -> str | None:
    if value is None:
        return None
    from kb_tools.pages import load_library

    library = load_library(searcher.project.docs_dir)
    for folder, index in library.categories.items():
        if value in (folder, index.title):
            return folder
    names = "、".join(f"{i.title}（{f}）" for f, i in library.categories.items())
    raise KbError(f"没有名为“{value}”的分类。可用的分类：{names}。")


def cmd_show(args) -> int:
    """The page as text: headings and paragraphs, no Markdown or HTML, no control characters."""
    from kb_tools import site
    from kb_tools.markdown_text import readable
    from kb_tools.pages import load_library

    project = _project()
    library = load_library(project.docs_dir)
    wanted = " ".join(args.page).strip()
    page = _find_page(library, project, wanted)
    style = Style(sys.stdout)
    print(style(page.title, "1"))
    facts = [f"分类：{page.category}" if page.category else "", f"状态：{_status(page.status)}" if page.status else "",
             project.page_url(page.path)]
    print(style("  ".join(f for f in facts if f), "2"))
    print()
    for kind, text in readable(site.decorate(page, page.body, library)):
        print({"heading": "\n" + style(text, "1"), "item": "- " + text}.get(kind, text))
    return EXIT_OK


def _status(status: str) -> str:
    from kb_tools.pages import STATUSES

    return STATUSES.get(status, status)


def _find_page(library, project, wanted: str):
    key = wanted.removeprefix("docs/")
    if key.startswith(project.site_url) and project.site_url:
        key = key[len(project.site_url):]
    key = key.strip("/")
    candidates = [key, key + ".md", key + "/index.md"] if key else ["index.md"]
    for candidate in candidates:
        if candidate in library.pages:
            return library.pages[candidate]
    exact = [p for p in library.pages.values() if p.title == wanted or wanted in p.aliases]
    if len(exact) == 1:
        return exact[0]
    partial = [p for p in library.pages.values() if wanted and wanted in p.title]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "\n".join(f"  {p.path}  {p.title}" for p in partial)
        raise KbError(f"“{wanted}”对应多个页面，请给出路径：\n{names}")
    raise KbError(f"找不到页面“{wanted}”。请给出 docs/ 下的路径，或先用 `kb search {wanted}` 查找。")


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
    from kb_tools.evaluate import evaluate, format_report, load_eval_set
    from kb_tools.indexer import ensure_fresh

    project = _project()
    path = args.file or str(project.root / "tests" / "eval" / "queries.yml")
    cases = load_eval_set(path)
    ensure_fresh(project, notify=_warn)
    with _searcher(project) as searcher:
        report = evaluate(searcher, cases)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
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

    from kb_tools.importer import plan_import, write_import

    project = _project()
    plan = plan_import(project, Path(args.file), category=args.category, prefix=args.prefix, tags=args.tag,
                       date=args.date)
    print(f"从 {plan.article} 读到《{plan.title}》（{plan.date.isoformat()}），按{plan.layout}找到 {plan.found} 个问题。")
    if not args.dry_run:
        write_import(project, plan)
    done = "将创建" if args.dry_run else "已创建"
    print(f"{done} {len(plan.drafts)} 个页面（状态：待审核{'；试运行，没有写入文件' if args.dry_run else ''}）：")
    for draft in plan.drafts:
        print(f"  docs/{draft.rel}  第 {draft.number} 节  {draft.title}")
    if plan.dropped:
        print(f"去掉了 {len(plan.dropped)} 处内容，请对照原文确认没有丢掉有用的信息：")
        for dropped in plan.dropped:
            print(f"  {dropped}")
    for note in plan.notes:
        print(f"提醒：{note}")
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


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A lone surrogate from the terminal (sys.argv uses surrogateescape) or a narrow
        # PYTHONIOENCODING must not turn a message that echoes the input into a traceback.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
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
