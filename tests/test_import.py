"""`kb import`: raw articles in several layouts become draft pages with the right boundaries,
provenance and a report of what was dropped; the drafts pass `kb check`; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_tools.checks import run_checks
from kb_tools.importer import ArticleError, clean, plan_import, read_article, write_import
from kb_tools.importer import chrome
from kb_tools.importer.questions import split
from kb_tools.importer.reading import read_html, read_text
from kb_tools.pages import read_page

from conftest import ROOT, TODAY
from test_checks import kb

FIXTURES = ROOT / "tests" / "fixtures" / "import"
SOURCE = FIXTURES / "source-article.txt"  # a copy of shared/source/000_03d42bec4a163a71.txt
SHARED_SOURCE = ROOT.parent / "shared" / "source" / "000_03d42bec4a163a71.txt"


def boundaries(path: Path) -> list[tuple[int, str, str, str, str]]:
    """(section, question, its line, first and last line of the answer) as the splitter sees them."""
    blocks, _, _ = clean(read_article(path))
    return [(q.number, q.title, q.where, q.answer[0].where, q.answer[-1].where) for q in split(blocks).questions]


# -- the source article -----------------------------------------------------------------------------

def test_the_fixture_is_the_source_article():
    if not SHARED_SOURCE.is_file():
        pytest.skip("shared/ is not beside this clone")
    assert SOURCE.read_bytes() == SHARED_SOURCE.read_bytes()


def test_source_article_yields_its_ten_questions_with_their_boundaries():
    assert boundaries(SOURCE) == [
        (1, "怎样通过物业找到业主?", "第 7 行", "第 9 行", "第 11 行"),
        (2, "物业保险怎样赔付业主?", "第 13 行", "第 15 行", "第 27 行"),
        (3, "业主怎样参与物业招标?", "第 29 行", "第 31 行", "第 31 行"),
        (4, "业主花盆被盗物业怎样处理?", "第 33 行", "第 35 行", "第 35 行"),
        (5, "物业断水怎样赔偿业主损失?", "第 37 行", "第 39 行", "第 39 行"),
        (6, "物业人员怎样与业主沟通?", "第 41 行", "第 43 行", "第 43 行"),
        (7, "物业有权利收集业主信息么?怎样解决?", "第 45 行", "第 47 行", "第 119 行"),  # 121 is an advert
        (8, "业主地板泡水物业该怎样处理?", "第 123 行", "第 125 行", "第 125 行"),
        # 十's own 一、二、三、四 restart the numbering: they stay inside its answer.
        (9, "物业主管怎样开晨会?", "第 127 行", "第 129 行", "第 133 行"),
        (10, "业主向物业反映问题怎样改进?", "第 135 行", "第 137 行", "第 167 行"),
    ]


def test_source_article_plan_reports_what_it_dropped_and_why(tiny_project):
    plan = plan_import(tiny_project, SOURCE, category="业主隐私", prefix="owner-faq")
    assert (plan.title, plan.date, plan.layout) == ("怎样通过物业找到业主？", dt.date(2023, 11, 21), "“一、”编号的小节")
    assert [(d.rel, d.number) for d in plan.drafts] == [(f"privacy/owner-faq-{n:02d}.md", n) for n in range(1, 11)]
    assert [str(d) for d in plan.dropped] == [
        "第 1 行：“返回首页”——网页导航",
        "第 3 行：“怎样通过物业找到业主?”——文章标题",
        "第 5 行：“161 2023-11-21 09:31 admin”——发布信息（日期、浏览次数、作者）；其中的日期 2023-11-21 用作出处日期",
        "第 121 行：“更多物业服务物业管理类个人物业行业个人网站前往http://…”——广告（带网址的推广语）",
        "第 137 行：“业主依据与物业管理企业交涉频次的结果,选择不同的投诉方向。初…”——重复的段落（第 139 行包含它的全文），只保留一份",
        "第 169 行：“顶一下”——投票按钮（顶、踩、点赞）",
        "第 170 行：“(0)”——只有数字或符号（计数、百分比等）",
        "第 171 行：“0%”——只有数字或符号（计数、百分比等）",
        "第 172 行：“踩一下”——投票按钮（顶、踩、点赞）",
        "第 173 行：“(0)”——只有数字或符号（计数、百分比等）",
        "第 174 行：“0%”——只有数字或符号（计数、百分比等）",
        "第 175 行：“相关评论”——评论区（从评论区的标题起到文末）",
        "第 176 行：“我要评论”——评论区（从评论区的标题起到文末）",
        "第 177 行：“用户名: 验证码:点击我更换图片”——评论区（从评论区的标题起到文末）",
    ]
    assert plan.notes == ["第 5 节引用了已废止的《物权法》：页面末尾加上了“法律更新提示”，请审核时按现行法律核对。"]
    complaint = plan.drafts[9].text
    assert complaint.count("业主依据与物业管理企业交涉频次的结果") == 1  # the truncated copy is not imported twice
    assert complaint.count("业主投诉的规律表明") == 1
    junk = ["返回首页", "admin", "顶一下", "踩一下", "相关评论", "我要评论", "验证码", "weiqiangcn", "http://"]
    assert not [j for d in plan.drafts for j in junk if j in d.text]


def test_imported_source_pages_are_needs_review_with_provenance_and_pass_kb_check(tiny_project):
    plan = plan_import(tiny_project, SOURCE, category="业主隐私", prefix="owner-faq")
    written = write_import(tiny_project, plan)
    pages = [read_page(tiny_project.docs_dir, d.rel) for d in plan.drafts]
    assert [p.title for p in pages] == [
        "怎样通过物业找到业主？", "物业保险怎样赔付业主？", "业主怎样参与物业招标？", "业主花盆被盗物业怎样处理？",
        "物业断水怎样赔偿业主损失？", "物业人员怎样与业主沟通？", "物业有权利收集业主信息么？怎样解决？",
        "业主地板泡水物业该怎样处理？", "物业主管怎样开晨会？", "业主向物业反映问题怎样改进？"]
    assert {p.status for p in pages} == {"needs-review"} and {p.reviewed for p in pages} == {TODAY}
    assert [(p.source.title, p.source.date, p.source.sections) for p in pages] == [
        ("怎样通过物业找到业主？", dt.date(2023, 11, 21), (n,)) for n in range(1, 11)]
    assert pages[1].body.splitlines()[3] == "1. 任何损失发生后，尽快以书面或电话通知保险公司。"
    report = run_checks(tiny_project, [str(p) for p in written])
    assert report.errors == [], [str(f) for f in report.errors]
    assert all(f.code in ("KB105", "KB109") for f in report.warnings)


# -- other layouts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("parking-numbered.txt", [
        (1, "外来车辆可以进入小区停车吗？", "第 7 行", "第 8 行", "第 11 行"),  # （一）（二）（三） stay in the answer
        (2, "车位月租费用怎样缴纳？", "第 12 行", "第 13 行", "第 13 行"),
        (3, "车辆在小区内被刮蹭了，物业要负责吗？", "第 15 行", "第 16 行", "第 17 行"),
        (4, "电动车可以在楼道里充电吗？", "第 18 行", "第 19 行", "第 19 行"),
    ]),
    ("elevator-qa.md", [
        (1, "电梯突然停在两层之间，人被困在里面怎么办？", "第 9 行", "第 11 行", "第 13 行"),
        (2, "电梯的维修保养费用由谁承担？", "第 15 行", "第 17 行", "第 17 行"),
        (3, "装修时可以用客梯运送建材吗？", "第 19 行", "第 21 行", "第 21 行"),
    ]),
    ("water-headings.html", [
        (1, "停水前物业会提前通知吗？", "第 6 段", "第 7 段", "第 8 段"),
        (2, "停电时电梯里有人怎么办？", "第 10 段", "第 11 段", "第 12 段"),
        (3, "停水期间可以申请减免水费吗？", "第 13 段", "第 14 段", "第 14 段"),
    ]),
])
def test_other_layouts_split_at_the_right_places(name, expected):
    assert boundaries(FIXTURES / name) == expected


@pytest.mark.parametrize("name, title, date, dropped", [
    ("parking-numbered.txt", "小区停车管理常见问题解答", dt.date(2024, 3, 15), [
        ("第 1 行", "网页导航（位置、上一篇、相关文章）"), ("第 2 行", "文章标题"),
        ("第 3 行", "发布信息（日期、浏览次数、作者）；其中的日期 2024-03-15 用作出处日期"),
        ("第 4 行", "网页导航"), ("第 5 行", "网页导航"), ("第 6 行", "文章开头，不属于任何问题"),
        ("第 14 行", "广告（带网址的推广语）"), ("第 17 行", "重复的段落（第 16 行包含它的全文），只保留一份"),
        ("第 20 行", "转载和版权声明"), ("第 21 行", "网页导航（位置、上一篇、相关文章）"),
        ("第 22 行", "网页导航（位置、上一篇、相关文章）"), *((f"第 {n} 行", "评论区（从评论区的标题起到文末）")
                                                for n in range(23, 27))]),
    ("elevator-qa.md", "电梯使用与维修问答", dt.date(2024, 5, 20), [
        ("第 1 行", "网页导航"), ("第 3 行", "文章标题"),
        ("第 5 行", "发布信息（日期、浏览次数、作者）；其中的日期 2024-05-20 用作出处日期"),
        ("第 7 行", "文章开头，不属于任何问题"), ("第 23 行", "只有数字或符号（计数、百分比等）"),
        ("第 25 行", "投票按钮（顶、踩、点赞）"), ("第 27 行", "网页导航（位置、上一篇、相关文章）")]),
    ("water-headings.html", "停水停电期间业主须知", dt.date(2024, 7, 8), [
        ("第 1 段", "网页页眉"), ("第 2 段", "网页导航（位置、上一篇、相关文章）"), ("第 3 段", "文章标题"),
        ("第 4 段", "发布信息（日期、浏览次数、作者）；其中的日期 2024-07-08 用作出处日期"),
        ("第 5 段", "文章开头，不属于任何问题"), ("第 9 段", "广告（带网址的推广语）"), ("第 15 段", "侧栏"),
        ("第 16 段", "评论区（从评论区的标题起到文末）"), ("第 17 段", "网页表单（评论框等）"), ("第 18 段", "网页页脚")]),
])
def test_other_layouts_become_pages_that_pass_kb_check(tiny_project, name, title, date, dropped):
    plan = plan_import(tiny_project, FIXTURES / name, category="维修与赔偿", prefix="faq")
    assert (plan.title, plan.date) == (title, date)
    assert [(d.where, d.reason) for d in plan.dropped] == dropped
    written = write_import(tiny_project, plan)
    for draft in plan.drafts:
        page = read_page(tiny_project.docs_dir, draft.rel)
        assert (page.status, page.source.title, page.source.date) == ("needs-review", title, date)
    report = run_checks(tiny_project, [str(p) for p in written])
    assert report.errors == [], [str(f) for f in report.errors]


def test_html_is_parsed_as_a_browser_parses_it():
    """An unclosed <p> ends at the next heading; entities are decoded; scripts are never text."""
    article = read_html("<title>t</title><p>答案一 &amp; 补充<h2>第二个问题？</h2><p>答案二<script>alert(1)</script>"
                        "<table><tr><td>表格里的字</table>", "a.html")
    assert [(b.text, b.heading) for b in article.blocks] == [
        ("答案一 & 补充", 0), ("第二个问题？", 2), ("答案二", 0), ("表格里的字", 0)]


# -- chrome patterns --------------------------------------------------------------------------------

@pytest.mark.parametrize("line, reason", [
    ("阅读(2,345)　发布日期：2025年1月8日　编辑：李明", "发布信息（日期、浏览次数、作者）"),
    ("2022/06/30 18:05 浏览 88 次", "发布信息（日期、浏览次数、作者）"),
    ("点赞 (3)", "投票按钮（顶、踩、点赞）"),
    ("45%", "只有数字或符号（计数、百分比等）"),
    ("您的位置 > 首页 > 新闻", "网页导航（位置、上一篇、相关文章）"),
    ("广告：专业开锁换锁，上门服务", "广告"),
    ("想了解更多，请关注微信公众号 wuye123.com", "广告（带网址的推广语）"),
    ("版权归原作者所有，如有侵权请联系删除", "转载和版权声明"),
    ("验证码：", "评论表单"),
])
def test_general_chrome_patterns(line, reason):
    assert chrome.reason(line) == reason


@pytest.mark.parametrize("line", [
    "2023年11月21日起，小区东门改为夜间 22 点关闭。",  # a date in content is content
    "物业应当在醒目位置公示收费标准。",
    "请登录物业 App 查看缴费记录。",
    "第一百一十一条 自然人的个人信息受法律保护。",
])
def test_article_text_is_not_chrome(line):
    assert chrome.reason(line) is None


# -- the command ------------------------------------------------------------------------------------

ELEVATOR_OUTPUT = """\
从 elevator-qa.md 读到《电梯使用与维修问答》（2024-05-20），按“问：/答：”成对的问答找到 3 个问题。
已创建 3 个页面（状态：待审核）：
  docs/repairs/lift-01.md  第 1 节  电梯突然停在两层之间，人被困在里面怎么办？
  docs/repairs/lift-02.md  第 2 节  电梯的维修保养费用由谁承担？
  docs/repairs/lift-03.md  第 3 节  装修时可以用客梯运送建材吗？
去掉了 7 处内容，请对照原文确认没有丢掉有用的信息：
  第 1 行：“返回首页”——网页导航
  第 3 行：“电梯使用与维修问答”——文章标题
  第 5 行：“发布于 2024-05-20 · 阅读 532 · 作者：客…”——发布信息（日期、浏览次数、作者）；其中的日期 2024-05-20 用作出处日期
  第 7 行：“住户经常问到电梯的事，我们把答复整理如下。”——文章开头，不属于任何问题
  第 23 行：“---”——只有数字或符号（计数、百分比等）
  第 25 行：“顶 (12) | 踩 (0)”——投票按钮（顶、踩、点赞）
  第 27 行：“相关阅读：小区装修管理规定”——网页导航（位置、上一篇、相关文章）
"""


def test_import_command_prints_pages_and_what_it_dropped(tiny_project, capsys):
    code, out, _ = kb(capsys, "import", str(FIXTURES / "elevator-qa.md"), "--category", "repairs", "--prefix", "lift")
    assert code == 0
    assert out.startswith(ELEVATOR_OUTPUT)
    assert out.endswith("下一步：逐页核对问题和答案，补上标签和其他问法，审核通过后把 status 改为 published。\n")
    page = (tiny_project.docs_dir / "repairs/lift-01.md").read_text(encoding="utf-8")
    assert page.endswith("\n---\n\n保持冷静，按下轿厢里的紧急呼叫按钮，或拨打电梯内张贴的救援电话，等待专业人员救援。\n\n"
                         "不要扒门，也不要尝试从轿厢顶部爬出。\n")
    index = (tiny_project.docs_dir / "repairs/index.md").read_text(encoding="utf-8")
    assert index == "---\ntitle: 维修与赔偿\norder: 1\n---\n维修和赔偿相关的问题。\n"  # no link list there: left alone


def test_import_never_overwrites_a_page(tiny_project, capsys):
    assert kb(capsys, "import", str(FIXTURES / "parking-numbered.txt"), "--category", "维修与赔偿", "--prefix", "faq")[0] == 0
    before = {p: p.read_bytes() for p in tiny_project.docs_dir.rglob("*.md")}
    code, out, err = kb(capsys, "import", str(FIXTURES / "elevator-qa.md"), "--category", "维修与赔偿", "--prefix", "faq")
    assert (code, out) == (2, "")
    assert err == "错误：docs/repairs/faq-01.md 已经存在，没有导入任何页面。请用 --prefix 换一个文件名前缀（现在是 faq）。\n"
    assert {p: p.read_bytes() for p in tiny_project.docs_dir.rglob("*.md")} == before


def test_importing_an_article_again_creates_nothing(tiny_project, capsys):
    args = ["import", str(FIXTURES / "elevator-qa.md"), "--category", "维修与赔偿", "--prefix", "lift"]
    assert kb(capsys, *args)[0] == 0
    before = {p: p.read_bytes() for p in tiny_project.docs_dir.rglob("*.md")}
    code, out, _ = kb(capsys, *args)
    assert code == 0
    assert "已创建 0 个页面（状态：待审核）：\n" in out
    assert "  第 9 行：“问： 电梯突然停在两层之间，人被困在里面怎么办？”——已有页面 docs/repairs/lift-01.md 收录了这个问题，没有导入\n" in out
    assert {p: p.read_bytes() for p in tiny_project.docs_dir.rglob("*.md")} == before


def test_questions_the_knowledge_base_already_has_are_reported_not_imported(tiny_project, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("停水问答\n2024-01-02\n一、停水造成损失，物业要赔偿吗？\n要看停水的原因。\n"
                       "二、停水前会通知吗？\n计划停水会提前通知。\n", encoding="utf-8")
    plan = plan_import(tiny_project, article, category="维修与赔偿")
    assert [d.title for d in plan.drafts] == ["停水前会通知吗？"]
    assert [str(d) for d in plan.dropped][-2:] == [
        "第 3 行：“一、停水造成损失，物业要赔偿吗？”——已有页面 docs/repairs/water-outage.md 收录了这个问题，没有导入",
        "第 4 行：“要看停水的原因。”——已收录的问题的答案（docs/repairs/water-outage.md）"]
    assert plan.drafts[0].rel == "repairs/imported-20240102-02.md"


def test_dry_run_writes_nothing(tiny_project, capsys):
    before = sorted(tiny_project.docs_dir.rglob("*"))
    code, out, _ = kb(capsys, "import", str(FIXTURES / "parking-numbered.txt"), "--category", "维修与赔偿", "--dry-run")
    assert code == 0
    assert out.splitlines()[1] == "将创建 4 个页面（状态：待审核；试运行，没有写入文件）："
    assert sorted(tiny_project.docs_dir.rglob("*")) == before


def test_article_without_questions(tiny_project, capsys, tmp_path):
    article = tmp_path / "notice.txt"
    article.write_text("停水通知\n2024-01-02\n明天上午九点到十二点停水，请提前储水。\n", encoding="utf-8")
    code, out, err = kb(capsys, "import", str(article), "--category", "维修与赔偿")
    assert (code, out) == (1, "")
    assert err == ("错误：在 notice.txt 中没有找到问题。kb import 认得这几种写法：“一、…？”“（一）…？”“1. …？”"
                   "这样编号的问题，“问：… 答：…”成对的问答，以及以问号结尾的小标题（Markdown 的 #，HTML 的 <h2> 等）。\n")


def test_article_without_a_date_needs_one(tiny_project, capsys, tmp_path):
    article = tmp_path / "faq.txt"
    article.write_text("常见问题\n1. 停水前会通知吗？\n会。\n2. 停电前会通知吗？\n会。\n", encoding="utf-8")
    code, _, err = kb(capsys, "import", str(article), "--category", "维修与赔偿")
    assert code == 1
    assert err == "错误：faq.txt 中找不到文章的发布日期。请用 --date 给出，例如 --date 2023-11-21。\n"
    assert kb(capsys, "import", str(article), "--category", "维修与赔偿", "--date", "2024-02-03")[0] == 0
    assert read_page(tiny_project.docs_dir, "repairs/imported-20240203-01.md").source.date == dt.date(2024, 2, 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["一、停水了怎么办？", "二、停电了怎么办？", "1. 电梯坏了？", "问：能停车吗？", "答：能。",
                                 "顶一下", "(0)", "2024-01-02 阅读 3", "相关评论", "物业应当及时维修。", "", "  ",
                                 "（一）先报修；", "<p>", "# 标题？", "http://x.com 更多"]) | st.text(max_size=20),
                max_size=25))
def test_any_text_splits_or_says_why_not(lines):
    blocks, dropped, _ = clean(read_text("\n".join(lines), "x.txt"))
    found = split(blocks)
    if found is not None:
        kept = len(found.preamble) + sum(1 + len(q.answer) for q in found.questions)
        assert kept == len(blocks)  # nothing silently lost between cleaning and splitting
