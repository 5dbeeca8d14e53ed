"""The help block's settings (mkdocs.yml extra.contact / extra.feedback): checked, escaped, one line for the CLI."""

from __future__ import annotations

import pytest

from kb_tools import contact
from kb_tools.project import Project

FULL = {"contact": {"name": "阳光花园物业服务中心", "phone": "010-6000 1234转8", "hours": "每天 8:00–20:00",
                    "wechat": "阳光花园物业", "other": ["小区东门物业服务中心前台"]}, "feedback": "mailto:kb@example.org"}


def test_contact_line_for_kb_search(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nextra:\n  contact:\n    phone: 010-6000 1234\n"
                                         "    hours: 每天 8:00–20:00\n    wechat: 阳光花园物业\n", encoding="utf-8")
    assert contact.contact_line(Project(tmp_path)) == "可以问物业服务中心：电话 010-6000 1234（每天 8:00–20:00）；微信 阳光花园物业。"


def test_no_contact_configured_means_no_line(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    assert contact.contact_line(Project(tmp_path)) is None


def test_help_block_escapes_what_the_config_says():
    settings = {"contact": {"phone": "010-6000 1234", "wechat": "<img src=x onerror=alert(1)>"}}
    block = contact.help_html(contact.read(settings), feedback=True)
    assert '<a href="tel:01060001234">010-6000 1234</a>' in block
    assert "<img" not in block and "&lt;img src=x onerror=alert(1)&gt;" in block
    assert "内容有误或过时？请告诉物业服务中心" in block


def test_without_contact_the_block_gives_generic_advice():
    block = contact.help_html(contact.read({}), feedback=False)
    assert contact.GENERIC_ADVICE in block and "tel:" not in block and "内容有误" not in block


def test_full_settings():
    settings = contact.read(FULL)
    assert settings.tel == "tel:01060001234"
    assert settings.line() == ("可以问阳光花园物业服务中心：电话 010-6000 1234转8（每天 8:00–20:00）；微信 阳光花园物业；"
                               "小区东门物业服务中心前台。")
    assert '<a href="mailto:kb@example.org">告诉我们</a>' in contact.help_html(settings, feedback=True)


@pytest.mark.parametrize("extra, message", [
    ({"contact": {"phone": "请打前台"}}, "mkdocs.yml 的 `extra.contact.phone`（请打前台）不是电话号码。"),
    ({"contact": {"fax": "1"}}, "mkdocs.yml 的 `extra.contact` 中有未知的项 `fax`。"),
    ({"contact": {"hours": "每天"}}, "mkdocs.yml 的 `extra.contact` 没有联系方式"),
    ({"contact": {"wechat": ""}}, "mkdocs.yml 的 `extra.contact.wechat` 是空的。"),
    ({"contact": {"other": "前台"}}, "mkdocs.yml 的 `extra.contact.other` 必须是列表"),
    ({"feedback": "javascript:alert(1)"}, "mkdocs.yml 的 `extra.feedback`（javascript:alert(1)）必须是以 https:// 开头的网址或 mailto: 邮件地址"),
    ({"contact": "010-6000 1234"}, "mkdocs.yml 的 `extra.contact` 必须是“名称: 值”的形式"),
])
def test_bad_settings_get_a_chinese_message(extra, message):
    with pytest.raises(contact.ConfigError) as err:
        contact.read(extra)
    assert str(err.value).startswith(message)
