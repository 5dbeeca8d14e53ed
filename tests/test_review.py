"""The editors' reminders: pages due for review (`kb review-due`, the weekly workflow) and the pull
request's summary of the pages a change touches (`kb check --markdown`)."""

from __future__ import annotations

from test_checks import FLOOR, WATER, kb, plant


def test_nothing_is_due_on_the_fixed_day(tiny_project, capsys):
    assert kb(capsys, "review-due") == (0, "2026-12-01：审核周期 365 天，没有需要重新审核的页面。\n", "")


def test_two_years_later_every_question_page_is_due_and_the_exit_code_is_still_zero(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("KB_TODAY", "2028-11-26")
    code, out, _ = kb(capsys, "review-due")
    assert code == 0
    assert out == (
        "2028-11-26：审核周期 365 天，以下 3 个页面需要重新审核（核对内容后，把 `reviewed` 改为核对当天的日期）：\n\n"
        "- `docs/privacy/neighbour-contact.md` 能向物业要邻居的联系方式吗？（上次审核 2026-11-01，已超期 390 天）\n"
        "- `docs/repairs/soaked-floor.md` 地板被水泡了，物业负责吗？（上次审核 2026-11-01，已超期 390 天）\n"
        "- `docs/repairs/water-outage.md` 停水造成损失，物业要赔偿吗？（上次审核 2026-11-01，已超期 390 天）\n")


def test_within_lists_pages_due_soon(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("KB_TODAY", "2027-10-20")
    assert kb(capsys, "review-due")[1] == "2027-10-20：审核周期 365 天，没有需要重新审核的页面。\n"
    out = kb(capsys, "review-due", "--within", "30")[1]
    assert out.splitlines()[2] == ("- `docs/privacy/neighbour-contact.md` 能向物业要邻居的联系方式吗？"
                                   "（上次审核 2026-11-01，13 天后到期）")


def test_an_unreadable_page_is_named_not_fatal(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("KB_TODAY", "2028-11-26")
    (tiny_project.docs_dir / "repairs/broken.md").write_text("---\ntitle: [坏\n---\n", encoding="utf-8")
    code, out, _ = kb(capsys, "review-due")
    assert code == 0
    assert out.endswith("- `docs/repairs/broken.md` 无法读取，请运行 `kb check docs/repairs/broken.md` 查看原因。\n")


def test_a_date_that_is_not_a_date(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("KB_TODAY", "明天")
    assert kb(capsys, "review-due") == (1, "", "错误：环境变量 KB_TODAY 的值“明天”不是日期。请写成 YYYY-MM-DD，"
                                                "例如 KB_TODAY=2026-11-26，或删除这个环境变量以使用今天的日期。\n")


def test_pull_request_summary_lists_the_touched_pages_with_their_findings(site, capsys):
    line = plant(site, WATER, "## 简要回答", "## 简要回答\n\n待填写：补充。") + 2
    code, out, _ = kb(capsys, "check", "--markdown", f"docs/{WATER}", f"docs/{FLOOR}")
    assert code == 1
    assert out.splitlines()[:8] == [
        "## 本次修改涉及的页面", "",
        "网站预览在本次运行的“Artifacts”中（site-preview）：下载解压后，打开对应目录下的 index.html。", "",
        "| 页面 | 标题 | 读者看到的状态 | 预览中的位置 | 检查结果 |", "|---|---|---|---|---|",
        f"| `docs/{FLOOR}` | 家里地板被水泡了，物业要负责吗？ | 已发布 | `compensation/soaked-floor/` | 没有问题 |",
        f"| `docs/{WATER}` | 物业断水造成损失，能要求赔偿吗？ | 已发布 | `compensation/water-outage/` | 1 个错误，0 个警告 |",
    ]
    assert out.splitlines()[8:11] == ["", f"### `docs/{WATER}`", ""]
    assert out.splitlines()[11:] == [f"- 第 {line} 行 KB112（错误）：页面已发布（`status: published`），却还有模板文字“待填写”。"
                                     "请换成真正的内容；内容还没写好时，请把 status 改回 needs-review。"]


def test_pull_request_summary_without_pages(site, capsys):
    assert kb(capsys, "check", "--markdown") == (0, "## 本次修改涉及的页面\n\n本次修改没有涉及页面。\n", "")
