"""`kb check --fix` repairs prose and nothing else (issue 12): code at any depth, URLs, link
targets, HTML attributes and abbreviation lines come out byte-identical."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_tools.checks import typography
from kb_tools.checks.fix import fingerprint, guarded
from kb_tools.checks.source import SourceFile
from kb_tools.cli import main

from conftest import ROOT

WATER = "compensation/water-outage.md"

# Each block: (what must survive byte-identical, or None, Markdown). Prose around them is messy on purpose.
UNTOUCHABLE = [
    "```python\nprint(\"停水,两天\")\n```",
    "> ```python\n> print(\"停水,两天\")\n> ```",
    "- 列表里的代码：\n\n    ```text\n    停水,两天?\n    ```",
    "说明：\n\n    indented(code,块)\n    第二行,代码",  # after a paragraph: after a list item it would be prose
    "<pre>\n停水,两天(通知)\n</pre>",
    "见 `停水,两天` 说明",
    "网址 https://example.com/停水?a=1&b=(2) 可以打开",
    "[通知](https://example.com/停水,通知?a=1)",
    "[页面](../privacy/find-owner-contact.md#ａｂ)",
    "*[物业]: 物业服务企业,简称物业",
    '<span title="停水,两天">提示</span>',
    "![平面图,一楼](../assets/plan(1).png)",
]
PROSE = ["停水,两天", "物业(管理处)通知", "请问?", "共3天", "用App查", "ＡＢＣ物业", "⼀楼"]


def _page(body: str) -> str:
    return ("---\ntitle: 测试修正的页面\ncategory: 损失与赔偿\ntags: [测试]\naliases: [修正测试]\n"
            "reviewed: 2026-11-26\nstatus: needs-review\n---\n\n" + body + "\n")


def fixed(site, body: str) -> str:
    page = site.docs_dir / "compensation" / "fix-me.md"
    page.write_text(_page(body), encoding="utf-8")
    main(["check", "--fix", str(page)])
    return page.read_text(encoding="utf-8")


@pytest.mark.parametrize("block", UNTOUCHABLE)
def test_fix_leaves_code_urls_targets_attributes_and_abbreviations_alone(site, capsys, block):
    result = fixed(site, "前面,一句话\n\n" + block + "\n\n后面,一句话")
    capsys.readouterr()
    assert block in result, result
    assert "前面，一句话" in result and "后面，一句话" in result  # prose around it is still repaired


def test_after_fix_the_check_reports_nothing_inside_code(site, capsys):
    body = "> ```python\n> print(\"停水,两天\")\n> ```\n\n    indented(code,块)\n\n<pre>\n停水,两天\n</pre>\n\n*[物业]: 物业服务企业,简称"
    fixed(site, body)
    capsys.readouterr()
    assert main(["check", "docs/compensation/fix-me.md"]) == 0


@pytest.fixture(scope="module")
def render():
    from kb_tools.checks.links import AnchorIndex
    from kb_tools.project import Project

    return AnchorIndex(Project(ROOT), None).render


def repaired(text: str, render) -> str:
    """What --fix writes, through the same pieces (typography's repairs, the guard), without the
    whole `kb check` run around them."""
    for _ in range(5):
        edits = [e for f in typography.check(SourceFile.parse("x.md", "x.md", text)) for e in f.edits]
        new_text, _ = guarded(text, edits, render)
        if new_text == text:
            break
        text = new_text
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks=st.lists(st.sampled_from(UNTOUCHABLE) | st.sampled_from(PROSE), min_size=1, max_size=8),
       separator=st.sampled_from(["\n\n", "\n", " "]))
def test_everything_outside_prose_is_byte_identical_after_fix(render, blocks, separator):
    """Property: any mix of untouchable blocks and messy prose; what render() shows of code,
    attributes and URLs, and each untouchable block as written, survive."""
    text = _page(separator.join(blocks))
    result = repaired(text, render)
    assert fingerprint(result, render) == fingerprint(text, render)
    if separator == "\n\n":
        for block in blocks:
            if block in UNTOUCHABLE:
                assert block in result, (block, result)


def test_fix_still_repairs_prose_next_to_a_url(site, capsys):
    result = fixed(site, "访问 https://example.com/a 查询,或者拨打服务电话")
    capsys.readouterr()
    assert "访问 https://example.com/a 查询，或者拨打服务电话" in result


def test_kb_new_keeps_a_crlf_category_index_crlf(site, capsys):
    index = site.docs_dir / "compensation" / "index.md"
    crlf = index.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    index.write_bytes(crlf)
    code = main(["new", "停电前物业要提前通知吗？", "--category", "compensation", "--tag", "停电",
                 "--alias", "停电不通知怎么办", "--slug", "power-notice"])
    capsys.readouterr()
    assert code == 0
    after = index.read_bytes()
    assert b"power-notice.md" in after
    assert re.search(rb"(?<!\r)\n", after) is None  # every line still ends in CRLF
