"""Who readers can ask when the knowledge base has no answer, and where they report a wrong page.

Whoever deploys the site says it once, in mkdocs.yml:

    extra:
      contact:
        name: 阳光花园物业服务中心     # optional; default 物业服务中心
        phone: 010-6000 1234
        hours: 每天 8:00–20:00
        wechat: 阳光花园物业（公众号）
        other: [小区东门物业服务中心前台]
      feedback: mailto:kb@example.org  # optional: https: or mailto:

With nothing configured the site gives honest generic advice instead of a made-up number. The same
settings end every question page ("没有解决？"), follow a search nothing answers, and follow
`kb search` when no page answers. Everything here is plain text from a config file that strangers
do not edit but that is still not ours: it is escaped, never pasted into HTML as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from kb_tools.errors import KbError
from kb_tools.markdown_text import CONTROL

DEFAULT_NAME = "物业服务中心"
GENERIC_ADVICE = ("请联系您所在小区的物业服务中心前台，或拨打物业服务合同、小区公告栏上写明的服务电话；"
                  "遇到纠纷，也可以向所在街道、居委会或当地住房和城乡建设部门咨询。")
HEADING = "没有解决？"
FEEDBACK_QUESTION = "内容有误或过时？"
KEYS = {"name": "名称", "phone": "电话", "hours": "服务时间", "wechat": "微信", "other": "其他方式"}
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{2,30}(?:(?:转|,|;)[0-9]{1,6})?")
_FEEDBACK = re.compile(r"(?:https://|mailto:)[^\s<>\"'`\\]{3,300}")
_MAX_TEXT = 80


class ConfigError(KbError):
    """mkdocs.yml holds a setting the site cannot use."""


@dataclass(frozen=True)
class Contact:
    name: str = DEFAULT_NAME
    phone: str | None = None
    hours: str | None = None
    wechat: str | None = None
    other: tuple[str, ...] = ()
    feedback: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.phone or self.wechat or self.other)

    @property
    def tel(self) -> str | None:
        """The number as a `tel:` link dials it: digits and a leading +, no extension."""
        if not self.phone:
            return None
        number = re.split(r"转|,|;", self.phone)[0]
        return "tel:" + ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)

    def line(self) -> str | None:
        """One line for the terminal, or None when nothing is configured."""
        if not self.configured:
            return None
        parts = [f"{KEYS['phone']} {self.phone}" + (f"（{self.hours}）" if self.hours else "")] if self.phone else []
        parts += [f"{KEYS['wechat']} {self.wechat}"] if self.wechat else []
        parts += list(self.other)
        parts += [f"{KEYS['hours']} {self.hours}"] if self.hours and not self.phone else []
        return f"可以问{self.name}：{'；'.join(parts)}。"


def _text(key: str, value, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ConfigError(f"mkdocs.yml 的 `{where}` 必须是一段文字（当前是 {type(value).__name__}）。"
                          f"例如 `{where}: …`；含有冒号等符号时请加引号。")
    text = str(value).strip()
    if not text:
        raise ConfigError(f"mkdocs.yml 的 `{where}` 是空的。请填写，或删掉这一行。")
    if CONTROL.search(text):
        raise ConfigError(f"mkdocs.yml 的 `{where}` 中有看不见的控制字符，请删除后重新输入。")
    if len(text) > _MAX_TEXT:
        raise ConfigError(f"mkdocs.yml 的 `{where}` 太长（{len(text)} 个字符，最多 {_MAX_TEXT} 个）：读者在手机上看，请写短一些。")
    return text


def read(extra: Mapping | None) -> Contact:
    """The contact and feedback settings from mkdocs.yml's `extra`, checked."""
    extra = extra if isinstance(extra, Mapping) else {}  # MkDocs hands over its own mapping type
    raw = extra.get("contact")
    feedback = _feedback(extra.get("feedback"))
    if raw is None:
        return Contact(feedback=feedback)
    if not isinstance(raw, Mapping):
        raise ConfigError("mkdocs.yml 的 `extra.contact` 必须是“名称: 值”的形式，例如：\n"
                          "  contact:\n    phone: 010-6000 1234\n    hours: 每天 8:00–20:00")
    unknown = sorted(set(map(str, raw)) - set(KEYS))
    if unknown:
        raise ConfigError(f"mkdocs.yml 的 `extra.contact` 中有未知的项 `{unknown[0]}`。"
                          f"可以写的项：{'、'.join(f'{k}（{v}）' for k, v in KEYS.items())}。")
    values = {k: _text(k, raw[k], f"extra.contact.{k}") for k in ("name", "phone", "hours", "wechat") if raw.get(k) is not None}
    if "phone" in values and not _PHONE.fullmatch(values["phone"]):
        raise ConfigError(f"mkdocs.yml 的 `extra.contact.phone`（{values['phone']}）不是电话号码。只写号码，"
                          "可以有空格、连字符和括号，分机写在“转”后面，例如 `010-6000 1234转8`；其他说明写进 `hours` 或 `other`。")
    other = raw.get("other")
    if other is None:
        others: tuple[str, ...] = ()
    elif isinstance(other, list) and other:
        others = tuple(_text("other", item, "extra.contact.other") for item in other)
    else:
        raise ConfigError("mkdocs.yml 的 `extra.contact.other` 必须是列表，例如 `other: [小区东门物业服务中心前台]`。")
    contact = Contact(name=values.get("name", DEFAULT_NAME), phone=values.get("phone"), hours=values.get("hours"),
                      wechat=values.get("wechat"), other=others, feedback=feedback)
    if not contact.configured:
        raise ConfigError("mkdocs.yml 的 `extra.contact` 没有联系方式：至少填写 `phone`、`wechat` 或 `other` 中的一项；"
                          "没有可以公开的联系方式时，请删掉整个 `contact`，网站会给出通用的建议。")
    return contact


def _feedback(value) -> str | None:
    if value is None:
        return None
    text = _text("feedback", value, "extra.feedback")
    if not _FEEDBACK.fullmatch(text):
        raise ConfigError(f"mkdocs.yml 的 `extra.feedback`（{text}）必须是以 https:// 开头的网址或 mailto: 邮件地址，"
                          "不能有空格和引号。不填时，读者会看到联系物业服务中心的方式。")
    return text


def contact_line(project) -> str | None:
    """The configured contact as one line for `kb search`, or None when none is configured."""
    return read(project.config.get("extra")).line()


# -- the site -------------------------------------------------------------------------------------

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def help_html(contact: Contact, *, feedback: bool) -> str:
    """The "没有解决？" block: who to ask, and on question pages where to report a wrong page."""
    rows = []
    if contact.configured:
        intro = f"可以联系{_e(contact.name)}："
        if contact.phone:
            rows.append(f'{KEYS["phone"]}：<a href="{_e(contact.tel)}">{_e(contact.phone)}</a>')
        if contact.hours:
            rows.append(f'{KEYS["hours"]}：{_e(contact.hours)}')
        if contact.wechat:
            rows.append(f'{KEYS["wechat"]}：{_e(contact.wechat)}')
        rows += [_e(o) for o in contact.other]
        body = f'<p>{intro}</p>\n<ul class="kb-help__channels">' + "".join(f"<li>{r}</li>" for r in rows) + "</ul>"
    else:
        body = f"<p>{_e(GENERIC_ADVICE)}</p>"
    parts = ['<aside class="kb-help" aria-label="联系方式">', f'<p class="kb-help__title">{HEADING}</p>', body]
    if feedback:
        if contact.feedback:
            route = f'<a href="{_e(contact.feedback)}">告诉我们</a>。'
        else:
            route = f"请告诉{_e(contact.name if contact.configured else DEFAULT_NAME)}，说明是哪一页、哪里不对。"
        parts.append(f'<p class="kb-help__feedback">{FEEDBACK_QUESTION}{route}</p>')
    parts.append("</aside>")
    return "\n".join(parts)
