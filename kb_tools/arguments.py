"""The `kb` command line's arguments: argparse with Chinese help and messages.

argparse rather than click: it costs nothing to import, and `kb search` is started cold for
every question a caller asks. kb_tools.cli runs the command the parser names.
"""

from __future__ import annotations

import argparse
import sys

from kb_tools import __version__

EXIT_USAGE = 2

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


def _int_between(low: int, high: int):
    """An argparse type: a whole number from low to high, with a Chinese message otherwise."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"必须在 {low} 到 {high} 之间")
        return value
    return parse


_positive_int = _int_between(1, 1000)
_days = _int_between(0, 3650)


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
    p.add_argument("--json", action="store_true", help="以 JSON 对象输出：query、answered（是否有页面回答）、results（按相关度从高到低，match 为 answer 或 related）")

    p = sub.add_parser("show", help="在终端中显示一个页面",
                       description="显示页面全文。可以给出页面路径（如 compensation/soaked-floor.md）、网址或标题。")
    p.add_argument("page", nargs="+", metavar="页面", help="页面路径、网址或标题")

    p = sub.add_parser("index", help="建立或更新搜索索引",
                       description="只处理新增、修改和删除的页面；建好后才替换旧索引，中途失败不影响原有索引。")
    p.add_argument("--full", action="store_true", help="忽略现有索引，全部重建")

    p = sub.add_parser("eval", help="用评测集衡量搜索质量",
                       description="运行评测集（YAML：查询 → 期望页面），输出 R@1、R@3、MRR@10、零结果率、"
                                   "“无答案”判断的准确程度（超出范围的问题判为无答案的比例，有答案的问题误判的比例），"
                                   "分 dev/test 和问题类型列表，以及每一条未命中。")
    p.add_argument("file", nargs="?", metavar="文件", help="评测集文件（默认 tests/eval/ 下的全部评测集）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出指标")

    p = sub.add_parser("serve", help="在本机预览网站（搜索可用）",
                       description="先运行 kb check 并显示结果，再更新索引、启动 MkDocs 预览服务器；"
                                   "修改页面后浏览器会自动刷新。")
    p.add_argument("--addr", default="127.0.0.1:8000", metavar="地址:端口", help="监听地址（默认 127.0.0.1:8000）")

    p = sub.add_parser("build", help="先检查页面，再构建网站",
                       description="先运行 kb check（输出与 kb check 相同）；有错误时不构建，请按提示改正。"
                                   "没有错误时运行 mkdocs build --strict，把网站生成到 site/ 目录。",
                       epilog="示例：kb build --site-dir /tmp/site")
    p.add_argument("--site-dir", metavar="目录", help="网站的输出目录（默认 site/）")

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

    p = sub.add_parser("review-due", help="列出需要重新审核的页面",
                       description="列出审核日期已超过审核周期（kb_tools/data/check_policy.yml，与规则 KB107 相同）的页面，"
                                   "最早到期的在前。只是提醒：无论有没有到期的页面，退出码都是 0。",
                       epilog="示例：kb review-due --within 30")
    p.add_argument("--within", type=_days, default=0, metavar="天数",
                   help="把今后这么多天内到期的页面也列出来（默认 0：只列已到期的）")

    p = sub.add_parser("urls", help="列出或登记网站已发布的网址",
                       description="列出每个页面的网址、重定向，以及已发布却没有页面的网址（有则退出码为 1）。"
                                   "--update 把当前页面的网址追加到 kb_tools/data/published_urls.txt（发布流程在每次发布后运行）。")
    p.add_argument("--update", action="store_true", help="把当前页面的网址追加到已发布网址清单")
    return parser
