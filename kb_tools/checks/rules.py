"""The numbered rules of `kb check`. CONTRIBUTING.md documents each one under its number."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str  # short Chinese name, as in CONTRIBUTING.md
    fixable: bool = False  # `kb check --fix` repairs it
    allowable: bool = False  # `<!-- kb:allow KBnnn -->` on the line silences it


_RULES = [
    Rule("KB101", ERROR, "页面格式（front matter）不符合要求"),
    Rule("KB102", ERROR, "分类或相关问题对不上"),
    Rule("KB103", ERROR, "标题重复"),
    Rule("KB104", ERROR, "其他问法重复"),
    Rule("KB105", WARNING, "与已有问题相似"),
    Rule("KB106", ERROR, "整理自来源文章的页面缺少出处"),
    Rule("KB107", WARNING, "审核日期太久"),
    Rule("KB108", ERROR, "审核日期晚于今天"),
    Rule("KB109", WARNING, "模板文字还没有改写"),
    Rule("KB110", ERROR, "docs/ 中不允许的文件"),
    Rule("KB111", ERROR, "页面或图片太大"),
    Rule("KB112", ERROR, "已发布的页面还有模板文字"),
    Rule("KB113", ERROR, "读者看得到的页面中有写给编辑的话"),
    Rule("KB114", WARNING, "已发布的页面还有审核备注"),
    Rule("KB201", ERROR, "链接的页面或文件不存在"),
    Rule("KB202", ERROR, "链接的锚点不存在"),
    Rule("KB203", ERROR, "站内链接没有写成相对的 .md 路径"),
    Rule("KB301", ERROR, "手机号码", allowable=True),
    Rule("KB302", ERROR, "固定电话号码", allowable=True),
    Rule("KB303", ERROR, "身份证号码", allowable=True),
    Rule("KB304", ERROR, "电子邮箱地址", allowable=True),
    Rule("KB311", ERROR, "嵌入脚本或外部页面"),
    Rule("KB312", ERROR, "onclick 等事件属性"),
    Rule("KB313", ERROR, "javascript: 链接"),
    Rule("KB314", ERROR, "从其他网站加载内容"),
    Rule("KB315", ERROR, "网站不允许的网页代码"),
    Rule("KB401", ERROR, "引用已废止的法律却没有更新提示", allowable=True),
    Rule("KB402", ERROR, "《民法典》条文引用有误", allowable=True),
    Rule("KB501", ERROR, "中文里的半角标点", fixable=True, allowable=True),
    Rule("KB502", ERROR, "形近字符", fixable=True, allowable=True),
    Rule("KB503", ERROR, "中文与英文、数字之间缺少空格", fixable=True, allowable=True),
    Rule("KB601", ERROR, "已发布的网址没有页面也没有重定向"),
    Rule("KB602", ERROR, "重定向表有误"),
    Rule("KB603", ERROR, "重定向与现有页面冲突"),
]
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
PERSONAL_DATA = ("KB301", "KB302", "KB303", "KB304")


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] of one file line with `new` (`kb check --fix`)."""

    line: int
    start: int
    end: int
    new: str


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to the project root, POSIX separators
    line: int
    code: str
    message: str  # Chinese, says what to do
    column: int = 0  # 0-based, for ordering findings on one line
    edits: tuple[Edit, ...] = field(default=(), compare=False, repr=False)

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def is_error(self) -> bool:
        return self.rule.severity == ERROR

    def __str__(self) -> str:
        prefix = "" if self.is_error else "警告："
        return f"{self.path}:{self.line}: {self.code}: {prefix}{self.message}"

    def annotation(self) -> str:
        """A GitHub Actions workflow command: shown on the pull request's changed line."""
        kind = "error" if self.is_error else "warning"
        props = f"file={_escape_property(self.path)},line={self.line},title={self.code}"
        return f"::{kind} {props}::{_escape_data(self.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
