"""The `kb` command line: exit codes and the exact words a user sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kb_tools import site
from kb_tools.cli import main


def run(*args, env_extra=None, cwd=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "kb_tools", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=cwd)


def test_search_prints_title_category_snippet_url_and_path(tiny_index, capsys):
    assert main(["search", "停水", "赔偿", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "1. 停水造成损失，物业要赔偿吗？  [维修与赔偿]",
        "   物业无故停水造成经济损失的，应当给予适当赔偿。",
        "   https://kb.example.org/repairs/water-outage/",
        "   docs/repairs/water-outage.md",
    ]


def test_search_json_is_the_verdict_and_the_pages_best_first(tiny_index, capsys):
    assert main(["search", "楼上漏水把地板泡了", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["query"], answer["answered"]) == ("楼上漏水把地板泡了", True)
    hits = answer["results"]
    assert [(h["path"], h["match"]) for h in hits] == [("repairs/soaked-floor.md", "answer"),
                                                       ("privacy/neighbour-contact.md", "related")]
    assert hits[0]["url"] == "https://kb.example.org/repairs/soaked-floor/"
    assert hits[0]["score"] >= hits[1]["score"] > 0
    assert {"title", "snippet", "highlights", "category"} <= set(hits[0])


def test_search_colours_only_on_a_terminal(tiny_index):
    piped = run("search", "停水")
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout


def test_nothing_found_says_what_to_try(tiny_index, capsys):
    assert main(["search", "区块链比特币"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "知识库里没有直接回答这个问题的页面。可以换个说法，或只输入关键词，例如：kb search 停水 赔偿\n"
    assert captured.err == ""


def test_no_answer_says_so_first_then_related_pages(tiny_index, capsys):
    """A question sharing a word with a page but asking something else: said first, exit 1."""
    assert main(["search", "电梯停电困人了物业管不管", "--limit", "1"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["知识库里没有直接回答这个问题的页面。以下页面可能相关：", "",
                         "1. 可能相关 地板被水泡了，物业负责吗？  [维修与赔偿]（待审核）"]


def test_no_answer_json_marks_every_page_related(tiny_index, capsys):
    assert main(["search", "电梯停电困人了物业管不管", "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["answered"] is False
    assert 0 < len(answer["results"]) <= 3
    assert {h["match"] for h in answer["results"]} == {"related"}


def test_a_lone_common_character_never_makes_a_result(tiny_index, capsys):
    # 不 and 的 occur in every page; 位 in none: no page shares a word with the question.
    assert main(["search", "不的位", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == {"query": "不的位", "answered": False, "results": []}
    # A question word alone asks nothing.
    assert main(["search", "怎么办", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == {"query": "怎么办", "answered": False, "results": []}


def test_unknown_category_lists_the_categories(tiny_index, capsys):
    assert main(["search", "停水", "--category", "保安"]) == 1
    assert capsys.readouterr().err == "错误：没有名为“保安”的分类。可用的分类：业主隐私（privacy）、维修与赔偿（repairs）。\n"


def test_category_by_chinese_name(tiny_index, capsys):
    assert main(["search", "漏水", "--category", "业主隐私", "--json"]) == 0
    assert [h["path"] for h in json.loads(capsys.readouterr().out)["results"]] == ["privacy/neighbour-contact.md"]


def test_search_builds_missing_index_and_says_so_on_stderr(tiny_project):
    out = run("search", "停水")
    assert out.returncode == 0
    assert out.stderr == "索引不存在，正在建立……\n"
    assert "停水造成损失" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["search", "停水", "--limit", "abc"], "kb search：错误：参数 -n/--limit：“abc”不是整数\n"),
    (["search", "停水", "--limit", "0"], "kb search：错误：参数 -n/--limit：必须在 1 到 1000 之间\n"),
    (["search"], "kb search：错误：缺少必需的参数：问题\n"),
    (["serach", "停水"], "kb：错误：参数 命令：无效的选择 'serach'（可选："),
])
def test_usage_errors_are_in_chinese_with_exit_2(args, message):
    out = run(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert out.stderr.endswith(" --help` 查看用法。）\n")
    assert "Traceback" not in out.stderr


def test_help_is_in_chinese():
    out = run("search", "--help")
    assert out.returncode == 0
    assert out.stdout.startswith("用法：kb search")
    assert "显示本帮助并退出" in out.stdout and "选项" in out.stdout


def test_show_by_path_and_by_title(tiny_project, capsys):
    assert main(["show", "repairs/soaked-floor.md"]) == 0
    by_path = capsys.readouterr().out
    assert main(["show", "地板被水泡了，物业负责吗？"]) == 0
    assert capsys.readouterr().out == by_path
    lines = by_path.splitlines()
    assert lines[0] == "地板被水泡了，物业负责吗？"
    assert lines[1] == "分类：维修与赔偿  状态：待审核  https://kb.example.org/repairs/soaked-floor/"
    assert lines[2:8] == ["", "【本页内容待审核】", "  " + site.REVIEW_NOTICE, "", "简要回答",
                          "如果是物业的责任，由物业负责维修或赔偿；否则物业也要帮助业主处理漏水事故。"]
    assert "责任划分需要编辑补充。" not in by_path  # the review note is for editors
    assert "其他问法" in lines and "- 楼上漏水把木地板泡坏了" in lines
    assert not [line for line in lines if line.startswith(("#", "!!!"))]  # text, not Markdown


def test_show_by_file_name_reads_links_lists_and_notes_as_text(tiny_project, capsys):
    page = tiny_project.docs_dir / "repairs/water-outage.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n1. **先止水**：见[地板](soaked-floor.md#简要回答)。\n"
                    "2. 再报修。\n\n!!! tip \"给物业员工\"\n    提前通知。\n\n!!! note\n    另见 [网站](https://kb.example.org/)。\n",
                    encoding="utf-8")
    assert main(["show", "water-outage"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "停水造成损失，物业要赔偿吗？"
    body = out[out.index("维修水管需要停水时"):out.index("其他问法")].splitlines()
    assert body == ["维修水管需要停水时，物业应提前通知业主。",
                    "1. 先止水：见地板（https://kb.example.org/repairs/soaked-floor/#简要回答）。",
                    "2. 再报修。",
                    "【给物业员工】", "  提前通知。",
                    "【注意】", "  另见 网站（https://kb.example.org/）。", ""]
    assert "地板被水泡了，物业负责吗？（https://kb.example.org/repairs/soaked-floor/）" in out


def test_show_unknown_page(tiny_project, capsys):
    assert main(["show", "电梯"]) == 1
    assert capsys.readouterr().err == "错误：找不到页面“电梯”。请给出 docs/ 下的路径，或先用 `kb search 电梯` 查找。\n"


def test_index_reports_what_changed(tiny_project, capsys):
    assert main(["index"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("索引已全部重建：新增 3 页，修改 0 页，删除 0 页，共 3 页，用时 ")
    assert main(["index"]) == 0
    assert capsys.readouterr().out == "索引已是最新（3 个页面）。\n"


def test_outside_a_knowledge_base(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_ROOT", raising=False)
    out = run("search", "停水", cwd=tmp_path, env_extra={"KB_ROOT": ""})
    assert out.returncode == 1
    assert out.stderr == (f"错误：在 {tmp_path} 及其上级目录中找不到 mkdocs.yml。"
                          "请在知识库目录中运行，或设置环境变量 KB_ROOT。\n")


def test_category_search_answers_while_an_unrelated_page_is_broken(tiny_index, capsys):
    # Categories come from the index: a page that fails validation stops its own update, not the search.
    page = tiny_index.docs_dir / "privacy/neighbour-contact.md"
    page.write_text(page.read_text().replace("status: published", "status: 已发布"))
    assert main(["search", "停水", "--category", "repairs", "--json"]) == 0
    captured = capsys.readouterr()
    assert [h["path"] for h in json.loads(captured.out)["results"]] == ["repairs/water-outage.md"]
    assert captured.err == ("页面有更新，正在更新索引……\n索引未能更新（privacy/neighbour-contact.md:7: 字段 `status` 只能是 "
                            "published 或 needs-review（当前为 `已发布`）。），本次使用现有索引搜索。\n")


def test_build_checks_first_and_builds_nothing_when_a_page_has_errors(tiny_project):
    page = tiny_project.docs_dir / "repairs/water-outage.md"
    page.write_text(page.read_text(encoding="utf-8").replace("tags: [停水, 赔偿]", "tags: [停水, 赔偿"), encoding="utf-8")
    out = run("build", "--site-dir", str(tiny_project.root / "site"))
    assert out.returncode == 1
    assert out.stdout == ("docs/repairs/water-outage.md:4: KB101: front matter 格式有误（第 4 行第 14 列）：缺少“]”："
                          "这一行第 7 列的“[”没有配对的“]”。请在这一行末尾补上“]”，例如 `tags: [停水, 赔偿]`。\n")
    assert out.stderr.endswith("没有构建网站：请先改正上面的错误。\n")
    assert not (tiny_project.root / "site").exists()


@pytest.mark.slow
def test_build_of_a_clean_site_is_quiet_and_in_chinese(tiny_project):
    """Material's English end-of-life banner is switched off in the project's own MkDocs runs."""
    out = run("build", "--site-dir", "built", cwd=tiny_project.root)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "网站已生成到 built。\n"
    assert out.stderr == "索引不存在，正在建立……\n检查了 6 个页面，没有发现问题。\n"
    assert (tiny_project.root / "built/repairs/water-outage/index.html").is_file()


def test_no_answer_ends_with_the_configured_contact(tiny_index, capsys):
    config = tiny_index.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "extra:\n  contact:\n    phone: 010-6000 1234\n"
                      "    hours: 每天 8:00–20:00\n", encoding="utf-8")
    assert main(["search", "电梯停电困人了物业管不管", "--limit", "1"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "知识库里没有直接回答这个问题的页面。以下页面可能相关："
    assert lines[-2:] == ["", "可以问物业服务中心：电话 010-6000 1234（每天 8:00–20:00）。"]
    # An answered question needs no contact.
    assert main(["search", "停水", "赔偿"]) == 0
    assert "可以问" not in capsys.readouterr().out
