"""`kb check`: each rule is planted in a copy of the real site and must be reported with the file,
the line, the rule and the exact message; the clean site must pass."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_tools import redirects
from kb_tools.checks import RULES, run_checks
from kb_tools.checks.laws import load_laws
from kb_tools.checks.fix import apply_edits
from kb_tools.checks.similar import SIMILAR
from kb_tools.checks.source import SourceFile, prose_atoms
from kb_tools.checks.typography import check as typography_check
from kb_tools.checks.typography import fix_text
from kb_tools.cli import main
from kb_tools.errors import KbError, PageError
from kb_tools.pages import load_library, page_paths
from kb_tools.project import Project

from conftest import ROOT, TODAY, copy_site

WATER = "compensation/water-outage.md"
FLOOR = "compensation/soaked-floor.md"
DRAFT = "community/renovation.md"  # a page still in review
EXAMPLE_HINT = "如果是编造的示例，在这一行末尾加上 `<!-- kb:allow 示例 -->`。"


def plant(project: Project, rel: str, old: str, new: str) -> int:
    """Replace the first `old` in a page by `new`; returns the line where `new` starts."""
    path = project.docs_dir / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    start = text.index(old)
    path.write_text(text[:start] + new + text[start + len(old):], encoding="utf-8")
    return text.count("\n", 0, start) + 1


def append(project: Project, rel: str, paragraph: str) -> int:
    """Add a paragraph at the end of a page; returns its first line."""
    path = project.docs_dir / rel
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(text + paragraph + "\n", encoding="utf-8")
    return text.count("\n") + 1


def kb(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err



def findings_of(project: Project, *files: str, today: dt.date | None = None) -> list[str]:
    report = run_checks(project, list(files) or None, today=today or TODAY)
    return [str(f) for f in report.findings]


# -- the clean site -----------------------------------------------------------------------------

def test_clean_copy_passes(site, capsys):
    code, out, err = kb(capsys, "check")
    assert (code, out) == (0, "")
    assert err.endswith(f"检查了 {len(page_paths(site.docs_dir))} 个页面，没有发现问题。\n")


def test_repository_itself_passes(tmp_path):
    """The real repository, its own (possibly empty) URL manifest included; the index goes to tmp_path."""
    report = run_checks(Project(ROOT, index_path=tmp_path / "index"), today=TODAY)
    assert [str(f) for f in report.findings] == [] and report.notes == []


def test_repository_has_no_errors_two_years_later(tmp_path):
    """Time alone never blocks a pull request: later, every question page is due for review (a
    warning, exit code 0) and nothing else changes."""
    project = Project(ROOT, index_path=tmp_path / "index")
    later = TODAY.replace(year=TODAY.year + 2)
    report = run_checks(project, today=later)
    assert report.errors == [] and report.notes == []
    questions = {f"docs/{p.path}" for p in load_library(project.docs_dir).questions}
    assert {f.path for f in report.warnings} == questions
    assert {f.code for f in report.warnings} == {"KB107"}


def test_every_rule_has_a_number_a_title_and_a_severity():
    assert all(re.fullmatch(r"KB\d{3}", code) and rule.title and rule.severity in ("error", "warning")
               for code, rule in RULES.items())


# -- KB1xx: front matter ------------------------------------------------------------------------

def loader_error(project: Project, rel: str) -> PageError:
    """What the page loader itself says about a page: KB101 and KB102 pass it on unchanged."""
    with pytest.raises(PageError) as err:
        load_library(project.docs_dir, [rel] + [p for p in page_paths(project.docs_dir) if p.endswith("index.md")])
    return err.value


def test_kb101_schema_errors_come_from_the_loader_with_their_line(site, capsys):
    line = plant(site, WATER, "reviewed: 2026-12-01", "reviewed: 2026/12/01")
    plant(site, FLOOR, "status: published", "status: 已发布")
    water, floor = loader_error(site, WATER), loader_error(site, FLOOR)
    assert (water.line, floor.line) == (line, 12)
    assert "`reviewed` 必须是日期" in water.message and "`status` 只能是 published 或 needs-review" in floor.message
    code, out, _ = kb(capsys, "check")
    assert code == 1
    assert out.splitlines() == [f"docs/{FLOOR}:12: KB101: {floor.message}", f"docs/{WATER}:{line}: KB101: {water.message}"]


def test_kb101_broken_page_is_still_checked_for_personal_data(site):
    plant(site, WATER, "reviewed: 2026-12-01", "reviewed: 2026/12/01")
    line = append(site, WATER, "联系张师傅：13800138000。")
    assert f"docs/{WATER}:{line}: KB301: 发现手机号码“138****8000”。页面不能公开个人的手机号码，请删除。{EXAMPLE_HINT}" \
        in findings_of(site)


def test_kb102_category_must_match_the_folder(site):
    line = plant(site, WATER, "category: 损失与赔偿", "category: 沟通与投诉")
    error = loader_error(site, WATER)
    assert error.line == line and "与所在目录的分类“损失与赔偿”不一致" in error.message
    assert findings_of(site) == [f"docs/{WATER}:{line}: KB102: {error.message}"]


def test_kb102_related_page_must_exist(site):
    plant(site, FLOOR, "  - water-outage.md\n", "  - water-outages.md\n")
    error = loader_error(site, FLOOR)
    assert error.line == 17 and "`water-outages.md` 不是存在的页面" in error.message
    assert findings_of(site) == [f"docs/{FLOOR}:17: KB102: {error.message}"]


def test_every_broken_page_is_reported_not_only_the_first(site):
    plant(site, WATER, "status: published", "status: draft")
    plant(site, FLOOR, "status: published", "status: draft")
    assert [f.split(": KB")[0] for f in findings_of(site)] == [f"docs/{FLOOR}:12", f"docs/{WATER}:13"]


def test_kb103_titles_differing_only_in_width_are_duplicates(site):
    line = plant(site, FLOOR, "title: 家里地板被水泡了，物业要负责吗？", "title: 物业断水造成损失，能要求赔偿吗")
    advice = "每个页面的标题必须不同：如果是同一个问题，请合并到那一页；否则请把标题写得更具体。"
    assert findings_of(site) == [
        f"docs/{FLOOR}:{line}: KB103: 标题“物业断水造成损失，能要求赔偿吗”与 docs/{WATER} 的标题重复。{advice}",
        f"docs/{WATER}:2: KB103: 标题“物业断水造成损失，能要求赔偿吗？”与 docs/{FLOOR} 的标题重复。{advice}",
    ]
    assert findings_of(site, f"docs/{FLOOR}") == [
        f"docs/{FLOOR}:{line}: KB103: 标题“物业断水造成损失，能要求赔偿吗”与 docs/{WATER} 的标题重复。{advice}"]


def test_kb104_alias_that_is_another_pages_title(site):
    line = plant(site, FLOOR, "  - 业主家进水了，物业要做什么", "  - 物业断水造成损失，能要求赔偿吗")
    assert findings_of(site) == [
        f"docs/{FLOOR}:{line}: KB104: 其他问法“物业断水造成损失，能要求赔偿吗”与 docs/{WATER} 的标题相同。"
        "同一个问法只能指向一个页面：请删除这一项，或者把两页合并。"]


def test_kb104_alias_repeated_on_the_page_and_equal_to_its_title(site):
    first = plant(site, FLOOR, "  - 业主家进水了，物业要做什么", "  - 家里地板被水泡了，物业要负责吗")
    second = plant(site, FLOOR, "  - 水管爆了地板全泡了，物业赔不赔", "  - 业主地板泡水物业该怎样处理")
    assert findings_of(site) == [
        f"docs/{FLOOR}:{second}: KB104: 其他问法“业主地板泡水物业该怎样处理”在本页重复出现。请删除重复的一项。",
        f"docs/{FLOOR}:{first}: KB104: 其他问法“家里地板被水泡了，物业要负责吗”与本页标题相同。请删除这一项，或换一种问法。",
    ]


def test_kb104_alias_shared_by_two_pages_is_reported_on_both(site):
    line = plant(site, FLOOR, "  - 业主家进水了，物业要做什么", "  - 物业无故停水要赔钱吗")
    advice = "同一个问法只能指向一个页面：请删除其中一个。"
    assert findings_of(site) == [
        f"docs/{FLOOR}:{line}: KB104: 其他问法“物业无故停水要赔钱吗”与 docs/{WATER} 的其他问法重复。{advice}",
        f"docs/{WATER}:6: KB104: 其他问法“物业无故停水要赔钱吗”与 docs/{FLOOR} 的其他问法重复。{advice}",
    ]


NEW_PAGE = """\
---
title: {title}
category: 损失与赔偿
tags: [停水]
aliases:
  - {alias}
reviewed: 2026-11-26
status: needs-review
---

## 简要回答

先问清停水的原因。
"""


def test_kb105_new_question_close_to_an_existing_one_is_a_warning(site, capsys):
    (site.docs_dir / "compensation/outage-loss.md").write_text(
        NEW_PAGE.format(title="停水造成损失，物业要赔偿吗？", alias="停水耽误了生意找物业赔"), encoding="utf-8")
    code, out, err = kb(capsys, "check")
    assert code == 0
    # The score depends on the search dictionaries, which editors tune: only its range is pinned.
    score = re.search(r"相似度 (\d\.\d\d)", out)
    assert score and SIMILAR <= float(score.group(1)) <= 1
    assert out == ("docs/compensation/outage-loss.md:2: KB105: 警告：这个问题与 docs/compensation/water-outage.md"
                   "“物业断水造成损失，能要求赔偿吗？”很相似（“停水造成损失，物业要赔偿吗？”与“物业断水造成损失，能要求赔偿吗？”，"
                   f"相似度 {score.group(1)}）。如果是同一个问题，请把新的问法加到那一页的 aliases 中，不要新建页面。\n")
    assert err.endswith("0 个错误，1 个警告。警告不影响发布，但请尽量处理。\n")


def test_kb105_a_different_question_on_the_same_topic_is_not_reported(site):
    (site.docs_dir / "compensation/outage-water.md").write_text(
        NEW_PAGE.format(title="停水期间物业要送水吗？", alias="停水了物业给不给送水"), encoding="utf-8")
    assert findings_of(site) == []


def test_kb105_published_pages_are_not_compared_again(site):
    """Only pages whose URL is not in the manifest are new: the curated pages never warn."""
    (site.root / redirects.URLS_FILE).unlink()
    assert findings_of(site) == []


def test_kb106_curated_text_without_source(site):
    path = site.docs_dir / "compensation/stolen-flowerpot.md"
    text = path.read_text(encoding="utf-8")
    # A draft that names its article but no source (a reader may not see 原文 at all: KB113 says so too).
    text = re.sub(r"source:\n(  .*\n)+", "", text).replace("status: published", "status: needs-review")
    path.write_text(text + "\n原文没有说明物业本身是否需要承担赔偿责任。\n", encoding="utf-8")
    line = next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "原文" in l)
    assert [f for f in findings_of(site) if "KB113" not in f] == [
        f"docs/compensation/stolen-flowerpot.md:{line}: KB106: 正文提到“原文”，但 front matter 中没有 `source`。"
        "整理自来源文章的页面必须写明出处，例如：`source: {title: 怎样通过物业找到业主？, date: 2023-11-21, sections: [5]}`"
        "（sections 是原文的第几节）；如果本页不是整理自来源文章，请改掉“原文”这类说法。"]


def test_kb106_law_text_is_not_curation(site):
    (site.docs_dir / "compensation/outage-notice.md").write_text(
        NEW_PAGE.format(title="停电前物业要贴通知吗？", alias="停电没贴通知怎么办").replace(
            "先问清停水的原因。", "条文原文见《民法典》。"), encoding="utf-8")
    assert not [f for f in findings_of(site) if "KB106" in f]


@pytest.mark.parametrize("reviewed, expected", [
    ("2025-12-01", []),
    ("2025-11-30", ["docs/compensation/water-outage.md:12: KB107: 警告：上次审核是 2025-11-30，已过去 366 天（审核周期为 365 天）。"
                    "请核对内容是否仍然准确，然后把 `reviewed` 改为核对当天的日期。"]),
    ("2026-12-02", []),  # tomorrow: CI's clock may be a day behind an editor in China
    ("2026-12-03", ["docs/compensation/water-outage.md:12: KB108: `reviewed: 2026-12-03` 晚于今天（2026-12-01）。"
                    "请填写实际审核的日期。"]),
])
def test_kb107_kb108_review_dates(site, reviewed, expected):
    plant(site, WATER, "reviewed: 2026-12-01", f"reviewed: {reviewed}")
    assert findings_of(site, today=TODAY) == expected


def test_kb107_warning_alone_exits_zero(site, capsys):
    plant(site, WATER, "reviewed: 2026-12-01", "reviewed: 2020-01-01")
    code, out, err = kb(capsys, "check")
    age = (TODAY - dt.date(2020, 1, 1)).days
    assert code == 0
    assert out == (f"docs/{WATER}:12: KB107: 警告：上次审核是 2020-01-01，已过去 {age} 天（审核周期为 365 天）。"
                   "请核对内容是否仍然准确，然后把 `reviewed` 改为核对当天的日期。\n")
    assert err.endswith("0 个错误，1 个警告。警告不影响发布，但请尽量处理。\n")


def test_yaml_mistake_is_reported_in_chinese_on_the_line_of_the_mistake(site, capsys):
    """PyYAML notices a missing `]` on the next line; the editor is sent to the line with the `[`."""
    line = plant(site, WATER, "tags: [停水, 赔偿, 维修]", "tags: [停水, 赔偿, 维修")
    code, out, _ = kb(capsys, "check", f"docs/{WATER}")
    assert code == 1
    assert out == (f"docs/{WATER}:{line}: KB101: front matter 格式有误（第 {line} 行第 18 列）：缺少“]”："
                   "这一行第 7 列的“[”没有配对的“]”。请在这一行末尾补上“]”，例如 `tags: [停水, 赔偿]`。\n")


def test_kb109_template_text_left_in_a_draft(site):
    line = append(site, DRAFT, "待填写：第一步做什么。")
    assert findings_of(site) == [f"docs/{DRAFT}:{line}: KB109: 警告：还有模板文字“待填写”。请换成真正的内容后再发布。"]


def test_kb112_template_text_left_in_a_published_page_blocks(site, capsys):
    plant(site, DRAFT, "status: needs-review", "status: published")
    path = site.docs_dir / DRAFT
    path.write_text(re.sub(r"(?m)^review_note: .*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    line = append(site, DRAFT, "待填写：第一步做什么。")
    code, out, _ = kb(capsys, "check")
    assert code == 1
    assert out == (f"docs/{DRAFT}:{line}: KB112: 页面已发布（`status: published`），却还有模板文字“待填写”。"
                   "请换成真正的内容；内容还没写好时，请把 status 改回 needs-review。\n")


def test_kb113_editor_wording_in_a_published_page(site, capsys):
    line = plant(site, WATER, "物业不能用停水来催交物业费。", "物业不能用停水来催交物业费。请编辑核对。")
    plant(site, WATER, "description: 物业没尽到", "description: 原文说物业没尽到")
    code, out, _ = kb(capsys, "check", f"docs/{WATER}")
    assert code == 1
    advice = ("：读者没有看过本页整理自的文章，也不编辑页面。请改写成直接回答读者的话；需要编辑核对的事项写进 front matter 的 "
              "`review_note`（网站不显示它），内容还不能直接回答问题时，把 status 改为 needs-review。")
    assert out == (f"docs/{WATER}:11: KB113: 读者看得到的页面中有写给编辑的话“原文”{advice}\n"
                   f"docs/{WATER}:{line}: KB113: 读者看得到的页面中有写给编辑的话“编辑”{advice}\n")


def test_kb113_leaves_code_alone(site):
    append(site, WATER, "在 `原文` 这个词上不算，[链接](https://example.org/编辑) 的地址也不算。")
    assert findings_of(site) == []


def test_kb113_reads_pages_in_review_placeholders_and_traditional_characters(site):
    """A page in review ships too (with a banner): its reader-facing text is checked the same."""
    draft = append(site, DRAFT, "请编辑在 GitHub 上提交 pull request 补充。")
    traditional = append(site, WATER, "本節內容請編輯核對。")
    placeholder = plant(site, FLOOR, "description: ", "description: 待补充。")
    found = findings_of(site)
    assert [f.split(": ", 2)[:2] for f in found] == [
        [f"docs/{DRAFT}:{draft}", "KB113"], [f"docs/{FLOOR}:{placeholder}", "KB113"], [f"docs/{WATER}:{traditional}", "KB113"]]
    assert "“编辑”" in found[0] and "“待补充”" in found[1] and "“編輯”" in found[2]  # the page's own characters


def test_kb114_published_page_keeps_its_review_note(site):
    plant(site, DRAFT, "status: needs-review", "status: published")
    line = next(i for i, l in enumerate((site.docs_dir / DRAFT).read_text(encoding="utf-8").splitlines(), 1)
                if l.startswith("review_note:"))
    assert findings_of(site) == [f"docs/{DRAFT}:{line}: KB114: 警告：已发布的页面还有 `review_note`。如果其中的事项已经核对，"
                                 "请删除 `review_note`；还没有核对，请把 status 改为 needs-review。"]


# -- KB2xx: links and anchors ---------------------------------------------------------------------

@pytest.mark.parametrize("link", [
    "[地板](soaked-floor.md)",
    "[地板](soaked-floor.md#处理步骤)",  # heading slug
    "[地板](soaked-floor.md#来源与审核)",  # a heading the site adds to question pages
    "[条文](../law/civil-code-personal-information.md#第一千零三十四条)",  # explicit {#id}
    "[条文](../law/civil-code-personal-information.md#%E7%AC%AC%E4%B8%80%E5%8D%83%E9%9B%B6%E4%B8%89%E5%8D%81%E5%9B%9B%E6%9D%A1)",
    "[本页](#法律依据)",
    "[图](../assets/images/sample.png)",
    "[外站](https://www.gov.cn/)",
    " `[代码](nothere.md)`",
])
def test_good_links_pass(site, link):
    append(site, WATER, f"参见{link}。")
    assert findings_of(site) == []


@pytest.mark.parametrize("link, code, message", [
    ("[地板](soaked-floors.md)", "KB201",
     "链接的页面“soaked-floors.md”不存在（找不到 docs/compensation/soaked-floors.md）。是不是 `soaked-floor.md`？"),
    ("[外](../../README.md)", "KB201", "链接“../../README.md”指向 docs/ 目录以外。只能链接本站的页面和文件。"),
    ("[图](../assets/logo.png)", "KB201", "链接的文件“../assets/logo.png”不存在（找不到 docs/assets/logo.png）。"),
    ("[地板](soaked-floor.md#处理方法)", "KB202",
     "链接“soaked-floor.md#处理方法”中的锚点“#处理方法”在 docs/compensation/soaked-floor.md 中不存在。"
     "最接近的锚点是“#处理步骤”，请改为 `soaked-floor.md#处理步骤`。其他锚点：#其他问法、#来源与审核、#相关问题、#简要回答。"),
    ("[条文](../law/civil-code-personal-information.md#第一千零三十四条-什么是个人信息)", "KB202",
     "链接“../law/civil-code-personal-information.md#第一千零三十四条-什么是个人信息”中的锚点“#第一千零三十四条-什么是个人信息”"
     "在 docs/law/civil-code-personal-information.md 中不存在。最接近的锚点是“#第一千零三十四条”，请改为 "
     "`../law/civil-code-personal-information.md#第一千零三十四条`。"
     "其他锚点：#第一千零三十七条、#第一千零三十三条、#第一千零三十九条、#第一千零三十二条。"),
    ("[本页](#法律条文)", "KB202", "链接“#法律条文”中的锚点“#法律条文”在本页中不存在。"
     "最接近的锚点是“#法律依据”，请改为 `#法律依据`。其他锚点：#法律没有说清的、#其他问法、#以前的说法、#处理步骤。"),
    ("[关于](../about.md#来源与审核)", "KB202",
     "链接“../about.md#来源与审核”中的锚点“#来源与审核”在 docs/about.md 中不存在。"
     "最接近的锚点是“#内容来源”，请改为 `../about.md#内容来源`。其他锚点：#不构成法律意见、#内容有误或过时、#这是什么。"),
    ("[找人](https://wuye-kb.github.io/wuye-kb/privacy/find-owner-contact/)", "KB203",
     "站内链接“https://wuye-kb.github.io/wuye-kb/privacy/find-owner-contact/”写成了完整网址。请改为相对的 .md 路径，"
     "例如 `../privacy/find-owner-contact.md`：网址会变，相对路径由构建检查。"),
    ("[找人](/privacy/find-owner-contact.md)", "KB203",
     "站内链接“/privacy/find-owner-contact.md”以 / 开头，在网站的子路径下会失效。请改为相对的 .md 路径，"
     "例如 `../privacy/find-owner-contact.md`。"),
    ("[隐私](../privacy/)", "KB203", "站内链接“../privacy/”请写成 .md 文件的相对路径：`../privacy/index.md`。"),
])
def test_broken_links_name_the_line_and_the_fix(site, link, code, message):
    line = append(site, WATER, f"参见{link}。")
    assert findings_of(site) == [f"docs/{WATER}:{line}: {code}: {message}"]


def test_repeated_headings_get_python_markdown_suffixes(site):
    append(site, FLOOR, "## 注意\n\n第一处。\n\n## 注意\n\n第二处。")
    good = append(site, WATER, "参见[第二处](soaked-floor.md#注意_1)。")
    bad = append(site, WATER, "参见[第三处](soaked-floor.md#注意_2)。")
    assert good != bad
    assert findings_of(site) == [
        f"docs/{WATER}:{bad}: KB202: 链接“soaked-floor.md#注意_2”中的锚点“#注意_2”在 docs/{FLOOR} 中不存在。"
        "最接近的锚点是“#注意_1”，请改为 `soaked-floor.md#注意_1`。其他锚点：#注意、#其他问法、#处理步骤、#来源与审核。"]


def test_reference_style_link_is_checked(site):
    line = append(site, WATER, "参见[地板][floor]。\n\n[floor]: soaked-floors.md")
    assert findings_of(site)[0].startswith(f"docs/{WATER}:{line + 2}: KB201: 链接的页面“soaked-floors.md”不存在")


# -- KB3xx: personal data and unsafe HTML ----------------------------------------------------------

@pytest.mark.parametrize("text, code, message", [
    ("联系张师傅：138 0013 8000。", "KB301", f"发现手机号码“138 **** 8000”。页面不能公开个人的手机号码，请删除。{EXAMPLE_HINT}"),
    ("联系张师傅：+86-138-0013-8000。", "KB301",
     f"发现手机号码“+86-1**-****-8000”。页面不能公开个人的手机号码，请删除。{EXAMPLE_HINT}"),
    ("王女士家的电话是 0571-88776655。", "KB302",
     "发现固定电话号码“0571-******55”。页面不能公开个人的电话号码，请删除；"
     "单位对外公开的服务电话，在这一行末尾加上 `<!-- kb:allow KB302 公开电话 -->`。"),
    ("业主身份证号：11010519491231002X。", "KB303",
     f"发现身份证号码“110105********002X”。页面不能公开身份证号码，请删除。{EXAMPLE_HINT}"),
    ("投诉材料请发到 zhangsan@qq.com。", "KB304",
     "发现电子邮箱地址“z***@qq.com”。页面不能公开个人的邮箱，请删除；示例请用 example.com 等示例域名，例如 someone@example.com。"),
    ("`zhangsan@qq.com`", "KB304",
     "发现电子邮箱地址“z***@qq.com”。页面不能公开个人的邮箱，请删除；示例请用 example.com 等示例域名，例如 someone@example.com。"),
    ('<script src="https://example.com/count.js"></script>', "KB311", "生成的网页中有标签 `<script>`。它会在读者的浏览器里运行脚本或嵌入其他网站。请删除；要展示代码，请放进代码块（```）。"),
    ('<iframe src="https://example.com/"></iframe>', "KB311", "生成的网页中有标签 `<iframe>`。它会在读者的浏览器里运行脚本或嵌入其他网站。请删除；要展示代码，请放进代码块（```）。"),
    ('<span onclick="alert(1)">点这里</span>', "KB312", "生成的网页中有事件属性 `onclick=`（在 `<span>` 上）。它会在读者的浏览器里运行脚本。请删除这个属性。"),
    ('*点这里*{: onmouseover=alert(1) }', "KB312", "生成的网页中有事件属性 `onmouseover=`（在 `<em>` 上）。它会在读者的浏览器里运行脚本。请删除这个属性。"),
    ("[点这里](javascript:alert(1))", "KB313", "生成的网页中有`javascript:` 链接（在 `<a>` 上）。它会在读者的浏览器里运行脚本。请改为 https:// 开头的网址，或本站页面的相对 .md 路径。"),
    ('<a href="JavaScript&#58;alert(1)">点这里</a>', "KB313", "生成的网页中有`javascript:` 链接（在 `<a>` 上）。它会在读者的浏览器里运行脚本。请改为 https:// 开头的网址，或本站页面的相对 .md 路径。"),
    ("![图](https://example.com/x.png)", "KB314", "生成的网页中有从其他网站加载的 `src`（https://example.com/x.png）。"
     "页面不能从其他网站加载图片、样式、音视频或脚本：在中国大陆常常很慢或打不开，也会让其他网站看到谁在读。"
     "请把图片放进 docs/assets/images/，用相对路径引用；指向其他网站的普通链接 [文字](https://…) 可以保留。"),
    ('<p style="color: red">字</p>', "KB315", "生成的网页中有属性 `style=`（在 `<p>` 上）。"
     "网站只接受 Markdown 生成的常用网页代码，这部分会被去掉。请改用 Markdown 的写法（见 CONTRIBUTING.md 的 KB315）。"),
    ("业主身份证号 110101199003071234，已登记。", "KB303",
     f"发现身份证号码“110101********1234”。页面不能公开身份证号码，请删除。{EXAMPLE_HINT}"),
])
def test_personal_data_and_unsafe_html_are_errors(site, capsys, text, code, message):
    line = append(site, WATER, text)
    status, out, _ = kb(capsys, "check", f"docs/{WATER}")
    assert (status, out) == (1, f"docs/{WATER}:{line}: {code}: {message}\n")


@pytest.mark.parametrize("text", [
    "手机号码一般是 11 位，例如 13800138000。<!-- kb:allow 示例 -->",
    "物业服务中心的公开电话是 0571-88776655。<!-- kb:allow KB302 公开电话 -->",
    "投诉材料可以发到 service@example.com 或 someone@mail.example.org。",
    "报警请拨打 110，投诉请拨打 12345。",
    "订单号 20261126123456789012 不是身份证号。",
    "身份证号码共 18 位，例如 110105194912310021 这样的号码校验位不对。",
    "用 `<script>` 标签可以嵌入脚本，但本站不允许。",
    "JavaScript 是网页使用的脚本语言。",
    "```html\n<script>alert(1)</script>\n```",
])
def test_examples_marked_or_harmless_pass(site, text):
    append(site, WATER, text)
    assert findings_of(site) == []


def test_allow_marker_does_not_silence_unsafe_html(site):
    line = append(site, WATER, "<script>alert(1)</script><!-- kb:allow KB311 -->")
    assert findings_of(site) == [f"docs/{WATER}:{line}: KB311: 生成的网页中有标签 `<script>`。它会在读者的浏览器里运行脚本或嵌入其他网站。请删除；要展示代码，请放进代码块（```）。"]


@pytest.mark.parametrize("paragraph, offset, code, what", [
    ("<img src=x\nonerror=alert(1)>", 1, "KB312", "事件属性 `onerror=`（在 `<img>` 上）。它会在读者的浏览器里运行脚本。请删除这个属性。"),
    ('<a href="java\nscript:alert(1)">详情</a>', 0, "KB313", "`javascript:` 链接（在 `<a>` 上）。它会在读者的浏览器里运行脚本。请改为 https:// 开头的网址，或本站页面的相对 .md 路径。"),
    ("```\n<script>alert(1)</script>", 1, "KB311", "标签 `<script>`。它会在读者的浏览器里运行脚本或嵌入其他网站。请删除；要展示代码，请放进代码块（```）。"),
    ("说明 <!-- 没有结束\n\n<script>alert(1)</script>", 2, "KB311", "标签 `<script>`。它会在读者的浏览器里运行脚本或嵌入其他网站。请删除；要展示代码，请放进代码块（```）。"),
])
def test_scripts_a_line_by_line_reading_misses_are_found_in_the_rendered_page(site, paragraph, offset, code, what):
    # The build refuses the same pages (tests/test_site_safety.py): one gate for both.
    line = append(site, WATER, paragraph)
    assert findings_of(site) == [f"docs/{WATER}:{line + offset}: {code}: 生成的网页中有{what}"]


def test_personal_data_in_front_matter_is_found(site):
    line = plant(site, FLOOR, "  - 业主家进水了，物业要做什么", "  - 打 13800138000 找张师傅")
    assert f"docs/{FLOOR}:{line}: KB301: 发现手机号码“138****8000”。页面不能公开个人的手机号码，请删除。{EXAMPLE_HINT}" \
        in findings_of(site)


# -- KB401: repealed laws -----------------------------------------------------------------------

CITATION = "根据《物权法》，业主对共有部分享有共有和共同管理的权利。"
KB401_PROPERTY = ("引用了已废止的《物权法》（2021-01-01 起废止，由《民法典》取代）。请改为引用《民法典》的相应规定；"
                  "如需保留原文的说法，请在本页加上 `!!! note \"法律更新提示\"`，并在提示中写明《物权法》已废止。")


def test_kb401_repealed_law_without_notice(site):
    line = append(site, FLOOR, CITATION)
    assert findings_of(site) == [f"docs/{FLOOR}:{line}: KB401: {KB401_PROPERTY}"]


def test_kb401_full_name_is_a_citation_too(site):
    line = append(site, FLOOR, "依据《中华人民共和国合同法》第六十条。")
    assert findings_of(site) == [
        f"docs/{FLOOR}:{line}: KB401: 引用了已废止的《合同法》（2021-01-01 起废止，由《民法典》取代）。请改为引用《民法典》的相应规定；"
        "如需保留原文的说法，请在本页加上 `!!! note \"法律更新提示\"`，并在提示中写明《合同法》已废止。"]


def test_kb401_notice_on_the_page_that_names_the_law(site):
    append(site, WATER, CITATION)  # water-outage.md has a 法律更新提示 about 《物权法》
    assert findings_of(site) == []


def test_kb401_notice_must_name_the_law(site):
    line = append(site, WATER, "依据《合同法》第六十条。")  # the page's notice is about 《物权法》
    assert findings_of(site) == [
        f"docs/{WATER}:{line}: KB401: 引用了已废止的《合同法》（2021-01-01 起废止，由《民法典》取代）。请改为引用《民法典》的相应规定；"
        "如需保留原文的说法，请在本页加上 `!!! note \"法律更新提示\"`，并在提示中写明《合同法》已废止。"]


def test_kb401_repeal_stated_in_the_same_paragraph(site):
    append(site, FLOOR, "根据《物权法》（已于 2021 年 1 月 1 日废止，现适用《民法典》物权编），\n业主对共有部分享有权利。")
    assert findings_of(site) == []


def test_kb401_current_laws_and_lookalike_names_pass(site):
    append(site, FLOOR, "依据《劳动合同法》《物业管理条例》和《民法典》。")
    assert findings_of(site) == []


def test_every_required_law_is_listed():
    names = {law.name: (law.repealed.isoformat(), law.successor) for law in load_laws()}
    for name in ("物权法", "合同法", "婚姻法", "继承法", "民法通则", "民法总则", "担保法", "侵权责任法", "收养法"):
        assert names[name] == ("2021-01-01", "民法典")


def test_law_list_can_be_extended_and_is_validated(tmp_path):
    good = tmp_path / "laws.txt"
    good.write_text("# 注释\n《食品卫生法》 2009-06-01 《食品安全法》\n", encoding="utf-8")
    assert [(law.name, law.successor) for law in load_laws(good)] == [("食品卫生法", "食品安全法")]
    bad = tmp_path / "bad.txt"
    bad.write_text("物权法 2021年1月1日 民法典\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"bad.txt:1: 每行应是“法律名称 废止日期 取代它的法律”"):
        load_laws(bad)


def test_kb401_article_of_a_repealed_law_is_current_law_despite_the_notice(site):
    line = append(site, WATER, "依据《物权法》第七十六条，选聘物业由业主共同决定。")  # the page has a notice on 《物权法》
    assert findings_of(site) == [
        f"docs/{WATER}:{line}: KB401: “《物权法》第七十六条”把已废止的《物权法》的条文当作依据（2021-01-01 起废止）。"
        "本页的法律更新提示不能代替这里的说明：请改为引用《民法典》的相应条文，或者在同一段写明《物权法》已经废止。"]


def test_kb401_article_of_a_repealed_law_with_the_repeal_in_its_paragraph_passes(site):
    append(site, WATER, "有的文章依据的《物权法》第七十六条已经废止，现在适用《民法典》第二百七十八条。")
    assert findings_of(site) == []


def test_kb401_repealed_law_named_as_a_source(site):
    line = plant(site, WATER, "  - title: 中华人民共和国民法典\n", "  - title: 中华人民共和国物权法\n")
    assert f"docs/{WATER}:{line}: KB401: 出处写的是已废止的《物权法》（2021-01-01 起废止，由《民法典》取代）。" \
           "请改为《民法典》的相应条文。" in findings_of(site)


# -- KB402: citations of the 民法典 ---------------------------------------------------------------

NOT_LISTED = ("不在已核对的条文清单 kb_tools/data/civil_code_articles.txt 中。请先对照《民法典》原文核对这一条，"
              "再把条号和主题加进清单；如果是条号写错了，请改正。")


@pytest.mark.parametrize("text, message", [
    ("根据《民法典》第二千条，物业不得停水催费。",
     "“第二千条”不是《民法典》的条号：《民法典》从第一条到第一千二百六十条，共 1260 条。请对照《民法典》原文核对条号。"),
    ("根据《中华人民共和国民法典》第一千二百六十一条处理。",
     "“第一千二百六十一条”不是《民法典》的条号：《民法典》从第一条到第一千二百六十条，共 1260 条。请对照《民法典》原文核对条号。"),
    ("见《民法典》第一百十一条。", "“第一百十一条”的写法不规范，请写作“第一百一十一条”。"),
    ("见《民法典》第二二条。", "“第二二条”不是有效的条号写法。请用《民法典》的写法，例如“第二百七十八条”“第一千零三十二条”。"),
    ("《民法典》第一条说明了立法目的。", f"《民法典》第一条{NOT_LISTED}"),
    ("依据《民法典》第 1 条。", f"《民法典》第一条{NOT_LISTED}"),
])
def test_kb402_invalid_or_unchecked_article_in_the_body(site, text, message):
    line = append(site, FLOOR, text)
    assert findings_of(site) == [f"docs/{FLOOR}:{line}: KB402: {message}"]


def test_kb402_article_without_a_law_name_belongs_to_the_last_law_named(site):
    line = append(site, "fees/refuse-fee.md", "《物业管理条例》也有规定。前面说的第九百四十四条之外，还要看第一条。")
    assert findings_of(site) == []  # both follow 《物业管理条例》: not the 民法典's articles
    line = append(site, "fees/refuse-fee.md", "再看《民法典》第九百四十四条和第一条。")
    assert findings_of(site) == [f"docs/fees/refuse-fee.md:{line}: KB402: 《民法典》第一条{NOT_LISTED}"]


def test_kb402_page_with_a_civil_code_source_cites_the_code_without_naming_it(site):
    path = site.docs_dir / "fees/refuse-fee.md"
    text = path.read_text(encoding="utf-8").replace("《民法典》", "法律")
    path.write_text(text + "\n第一条也要看。\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    assert findings_of(site) == [f"docs/fees/refuse-fee.md:{line}: KB402: 《民法典》第一条{NOT_LISTED}"]


@pytest.mark.parametrize("text", [
    "请看物业服务合同第三条。",
    "管理规约第十二条另有约定。",
    "《物业管理条例》第二十条。",
    "[第九百四十四条](#法律怎么说)和 `第五千条`。",
])
def test_kb402_clauses_of_other_documents_and_code_pass(site, text):
    append(site, "fees/refuse-fee.md", text)
    assert findings_of(site) == []


def test_kb402_articles_in_sources(site):
    line = plant(site, "fees/refuse-fee.md", "articles: [第九百四十四条,", "articles: [第一千三百条,")
    assert findings_of(site) == [
        f"docs/fees/refuse-fee.md:{line}: KB402: “第一千三百条”不是《民法典》的条号：《民法典》从第一条到第一千二百六十条，"
        "共 1260 条。请对照《民法典》原文核对条号。"]


def test_kb402_articles_of_a_law_without_a_checked_list(site):
    line = plant(site, "fees/refuse-fee.md", "  - title: 中华人民共和国民法典\n", "  - title: 物业管理条例\n")
    assert findings_of(site) == [
        f"docs/fees/refuse-fee.md:{line + 1}: KB402: 《物业管理条例》的条号没有核对清单"
        "（kb_tools/data/civil_code_articles.txt 只收《民法典》）。请去掉 `articles`，只写法律名称；"
        "如果已对照现行条文核对过，请在拉取请求中说明，由维护者扩充清单。"]


def test_kb402_allow_marker(site):
    line = append(site, FLOOR, "有的文章写的《民法典》第二千条是错的。")
    assert findings_of(site) != []
    path = site.docs_dir / FLOOR
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] += "<!-- kb:allow KB402 照录来源文章的错误 -->"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert findings_of(site) == []


# -- KB5xx: typography --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("物业断水造成损失,能要求赔偿吗?", [
        "KB501: 半角标点“,”应改为全角“，”（“造成损失,能要求赔”）。",
        "KB501: 半角标点“?”应改为全角“？”（“求赔偿吗?”）。"]),
    ("业主本人(或其监护人)同意。", [
        "KB501: 半角标点“(”应改为全角“（”（“业主本人(或其监护”）。",
        "KB501: 半角标点“)”应改为全角“）”（“其监护人)同意。”）。"]),
    ("⻓期欠费。", ["KB502: “⻓”是形近字符（部首补充区的部首，U+2ED3），应改为“长”（“⻓期欠费。”）。"]),
    ("⾏为规范。", ["KB502: “⾏”是形近字符（康熙部首，U+2F8F），应改为“行”（“⾏为规范。”）。"]),
    ("自２０２１起。", [f"KB502: “{c}”是形近字符（全角字母或数字，U+{ord(c):04X}），应改为“{chr(ord(c) - 0xFEE0)}”（“{ctx}”）。"
                     for c, ctx in zip("２０２１", ["自２０２１起", "自２０２１起。", "自２０２１起。", "自２０２１起。"])]),
    ("物业用App收集信息。", [
        "KB503: 中文与英文、数字之间应有一个空格（“物业用App收”）。",
        "KB503: 中文与英文、数字之间应有一个空格（“用App收集信息”）。"]),
    ("运行`kb check`命令。", [
        "KB503: 中文与英文、数字之间应有一个空格（“运行`kb”）。",
        "KB503: 中文与英文、数字之间应有一个空格（“eck`命令。”）。"]),
])
def test_typography_findings(site, text, expected):
    line = append(site, WATER, text)
    assert findings_of(site) == [f"docs/{WATER}:{line}: {e}" for e in expected]


@pytest.mark.parametrize("text", [
    "Hello, world. 报警请拨打 110，投诉请拨打 12345。",
    "上午 9:30 开门，版本 1.0。",
    "见 `a,b;c` 和 [网址](https://example.com/a?b=1,2)。",
    "网址 https://example.com/path?a=1,2 可以打开。",
    "![示意图](../assets/images/sample.png)中的说明。",
    "## 第一千零三十四条 · 什么是个人信息 {#第一千零三十四条}",
    "**问清原因**：先了解停水的原因。",
    "长期欠费。<!-- kb:allow KB503 示例:a1 -->",
    "```\n物业,业主?\n```",
])
def test_typography_leaves_code_links_and_english_alone(site, text):
    append(site, WATER, text)
    assert findings_of(site) == []


def test_fix_repairs_typography_and_nothing_else(site, capsys):
    before = (site.docs_dir / WATER).read_text(encoding="utf-8")
    plant(site, WATER, "title: 物业断水造成损失，能要求赔偿吗？", "title: 物业断水造成损失,能要求赔偿吗?")
    append(site, WATER, "物业用App查询,很方便(见`a,b`和[链接](soaked-floor.md#处理步骤))。⾏为２０２１年,**重要**2021年。")
    code, out, err = kb(capsys, "check", "--fix")
    assert (code, out) == (0, "")
    assert err == f"已修正 19 处排版问题（1 个文件）。检查了 {len(page_paths(site.docs_dir))} 个页面，没有发现问题。\n"
    after = (site.docs_dir / WATER).read_text(encoding="utf-8")
    assert after == before.rstrip("\n") + (
        "\n\n物业用 App 查询，很方便（见 `a,b` 和[链接](soaked-floor.md#处理步骤)）。行为 2021 年，**重要** 2021 年。\n")


def test_fix_keeps_crlf_line_endings_and_the_bom(site):
    path = site.docs_dir / WATER
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n") + "\r\n停水了,怎么办?\r\n"
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    report = run_checks(site, fix=True)
    assert report.findings == [] and report.fixed == {f"docs/{WATER}": 2}
    assert path.read_bytes() == ("\ufeff" + text.replace("停水了,怎么办?", "停水了，怎么办？")).encode("utf-8")


def test_fix_leaves_flow_lists_in_front_matter_alone(site):
    plant(site, WATER, "tags: [停水, 赔偿, 维修]", "tags: [停水,赔偿, 维修]")
    report = run_checks(site, fix=True)
    assert report.fixed == {} and report.findings == []
    assert "tags: [停水,赔偿, 维修]" in (site.docs_dir / WATER).read_text(encoding="utf-8")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("物业停水,:;?!()[]`*_ ab12⾏Ａ<>#{}\\-/.“”") + [
    "https://x.org/a", "](", "<!--", "-->", "⻓", "**", "[链接](a.md)", "`代码`", "!["]), max_size=25).map("".join))
def test_fixing_any_line_converges_and_never_breaks(text):
    doc = f"---\ntitle: 标题\n---\n{text}\n"
    for _ in range(6):
        fixable = [f for f in __import__("kb_tools.checks.typography", fromlist=["check"]).check(
            SourceFile.parse("a/b.md", "docs/a/b.md", doc)) if f.edits]
        if not fixable:
            break
        doc, _ = apply_edits(doc, [e for f in fixable for e in f.edits])
    assert not fixable
    assert doc.startswith("---\ntitle: 标题\n---\n")
    assert fix_text(fix_text(text)) == fix_text(text)
    prose_atoms(text)


# -- the command line ---------------------------------------------------------------------------

def test_github_actions_annotations(site, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    line = append(site, WATER, "联系张师傅：13800138000。")
    code, out, _ = kb(capsys, "check")
    message = f"发现手机号码“138****8000”。页面不能公开个人的手机号码，请删除。{EXAMPLE_HINT}"
    assert code == 1
    assert out.splitlines() == [f"docs/{WATER}:{line}: KB301: {message}",
                                f"::error file=docs/{WATER},line={line},title=KB301::{message}"]


def test_warning_annotation(site, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    line = append(site, DRAFT, "待填写：补充。")
    code, out, _ = kb(capsys, "check")
    assert code == 0
    assert out.splitlines()[1] == f"::warning file=docs/{DRAFT},line={line},title=KB109::还有模板文字“待填写”。请换成真正的内容后再发布。"


def test_only_the_given_files_are_reported(site, capsys):
    append(site, FLOOR, "物业,业主")
    code, out, err = kb(capsys, "check", f"docs/{WATER}")
    assert (code, out) == (0, "") and err.endswith("检查了 1 个页面，没有发现问题。\n")
    code, out, _ = kb(capsys, "check", "docs/compensation")
    assert code == 1 and out.startswith(f"docs/{FLOOR}:")


@pytest.mark.parametrize("arg, message", [
    ("docs/nothere.md", "错误：找不到文件“docs/nothere.md”。请给出 docs/ 下的 .md 文件或目录，例如 docs/compensation/water-outage.md。\n"),
    ("mkdocs.yml", "错误：“mkdocs.yml”不在页面目录 {docs} 中。只能检查 docs/ 下的 .md 文件。\n"),
    ("docs/assets/images/sample.png", "错误：“docs/assets/images/sample.png”不是 .md 文件。只能检查 docs/ 下的 .md 文件。\n"),
])
def test_bad_file_arguments(site, capsys, monkeypatch, arg, message):
    monkeypatch.chdir(site.root)
    code, out, err = kb(capsys, "check", arg)
    assert (code, out, err) == (2, "", message.format(docs=site.docs_dir))


def test_check_outside_a_project(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KB_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, err = kb(capsys, "check")
    assert code == 1 and out == "" and err.startswith("错误：在 ") and "找不到 mkdocs.yml" in err


# -- CONTRIBUTING.md documents every rule, with examples that behave as documented ----------------

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
SECTION = re.compile(r"^### (KB\d{3}) (.+?)（(错误|警告)(，可自动修正)?）\n(.*?)(?=^##)", re.M | re.S)
BLOCK = re.compile(r"^(错误|正确)[^\n]*：\n\n```(\w+)\n(.*?)\n```", re.M | re.S)
SECTIONS = {m.group(1): m for m in SECTION.finditer(CONTRIBUTING)}
EXAMPLE_PAGE = """\
---
title: 文档中的例子
category: 损失与赔偿
tags: [例子]
aliases: [规则的例子]
reviewed: 2026-11-26
status: published
---

## 简要回答

"""


def examples(code: str) -> dict[str, tuple[str, str]]:
    """{'错误': (language, text), '正确': (language, text)}: the first example of each kind."""
    found: dict[str, tuple[str, str]] = {}
    for match in BLOCK.finditer(SECTIONS[code].group(5)):
        found.setdefault(match.group(1), (match.group(2), match.group(3)))
    return found


def test_contributing_documents_every_rule_in_order():
    assert list(SECTIONS) == list(RULES)
    for code, match in SECTIONS.items():
        rule = RULES[code]
        assert match.group(2) == rule.title, code
        assert match.group(3) == ("错误" if rule.severity == "error" else "警告"), code
        assert bool(match.group(4)) == rule.fixable, code
        assert "错误" in match.group(5) and "正确" in match.group(5), code


MARKDOWN_EXAMPLES = [code for code in RULES if examples(code).get("错误", ("",))[0] == "markdown"]


def test_body_rules_have_markdown_examples():
    assert MARKDOWN_EXAMPLES == ["KB106", "KB112", "KB113", "KB201", "KB202", "KB203", "KB301", "KB302", "KB303", "KB304",
                                 "KB311", "KB312", "KB313", "KB314", "KB315", "KB401", "KB402", "KB501", "KB502", "KB503"]


@pytest.mark.parametrize("code", MARKDOWN_EXAMPLES)
def test_contributing_examples_behave_as_documented(tmp_path, code):
    """The wrong example breaks exactly its rule; the right one (where it is Markdown) passes."""
    project = copy_site(tmp_path, published=False)
    page = project.docs_dir / "compensation/example.md"
    for kind, (language, text) in examples(code).items():
        page.write_text(EXAMPLE_PAGE + text + "\n", encoding="utf-8")
        redirects.update_manifest(project)  # the example page is not new: no similarity search
        codes = {f.code for f in run_checks(project, [str(page)], today=dt.date(2026, 11, 26)).findings}
        if kind == "错误":
            assert codes == {code}, text
        elif language == "markdown":
            assert codes == set(), text


def test_contributing_prose_follows_the_house_typography():
    assert [str(f) for f in typography_check(SourceFile.parse("x.md", "CONTRIBUTING.md", CONTRIBUTING))] == []


def test_contributing_covers_what_editors_need():
    headings = re.findall(r"^## (.+)$", CONTRIBUTING, re.M)
    assert headings == ["简要说明", "在 GitHub 网页上修改", "页面信息（front matter）", "在本机预览和检查", "规则",
                        "搜索词典和同义词", "审核政策", "给维护者"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("bash .ci/setup && .venv/bin/kb serve", "bash .ci/setup --browser && .venv/bin/python -m pytest"):
        assert command in readme and command in CONTRIBUTING
    for name in ("userdict.txt", "synonyms.txt", "stopwords.txt", "kb eval", "kb index", "tests/eval/queries.yml",
                 "needs-review", "法律更新提示", "review_max_age_days", "<!-- kb:allow 示例 -->"):
        assert name in CONTRIBUTING, name
    from kb_tools.checks.metadata import load_policy

    assert f"审核周期（{load_policy().review_max_age_days} 天）" in CONTRIBUTING


# -- robustness ---------------------------------------------------------------------------------

def test_a_file_that_is_not_utf8_is_one_finding_not_a_traceback(site, capsys):
    path = site.docs_dir / FLOOR
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    code, out, _ = kb(capsys, "check")
    assert code == 1
    assert out == f"docs/{FLOOR}:2: KB101: 文件不是 UTF-8 编码。请用 UTF-8 重新保存（GitHub 网页编辑器默认即是）。\n"


def test_similar_questions_are_skipped_with_a_note_when_the_index_cannot_be_built(site, capsys):
    (site.docs_dir / "compensation/outage-loss.md").write_text(
        NEW_PAGE.format(title="停水造成损失，物业要赔偿吗？", alias="停水耽误了生意找物业赔"), encoding="utf-8")
    plant(site, WATER, "status: published", "status: draft")
    code, out, err = kb(capsys, "check")
    assert code == 1 and out.startswith(f"docs/{WATER}:13: KB101: ")
    assert err.splitlines()[-2:] == [
        "暂未检查相似问题（KB105）：页面有错误，无法建立搜索索引。改正上面的错误后再运行 `kb check`。",
        f"检查了 {len(page_paths(site.docs_dir))} 个页面：1 个错误，0 个警告。请按上面的提示修改；规则说明见 CONTRIBUTING.md。"]


@pytest.mark.parametrize("text", [
    "物业用App查询。<!-- kb:allow KB503 产品名照原样写 -->",
    "根据《物权法》，业主享有共有的权利。<!-- kb:allow KB401 引用原文 -->",
])
def test_allow_marker_silences_the_named_rule_on_its_line(site, text):
    line = append(site, FLOOR, text.split("<!--")[0])
    assert findings_of(site) != []
    path = site.docs_dir / FLOOR
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert findings_of(site) == []


def test_every_rule_is_planted_somewhere_in_the_tests():
    """A new rule needs a test that makes it fire (here, in test_redirects.py or through CONTRIBUTING's examples)."""
    tests = "".join((ROOT / "tests" / name).read_text(encoding="utf-8")
                    for name in ("test_checks.py", "test_redirects.py", "test_content_gate.py"))
    fired = {code for code in RULES if re.search(rf'[:"]\s*{code}[:"]|"{code}", ', tests)} | set(MARKDOWN_EXAMPLES)
    assert sorted(set(RULES) - fired) == []


def test_repealed_law_list_in_another_encoding_is_a_clear_error(tmp_path):
    laws_file = tmp_path / "repealed_laws.txt"
    laws_file.write_bytes("物权法 2021-01-01 民法典\n".encode("gbk"))
    with pytest.raises(KbError) as err:
        load_laws(laws_file)
    assert str(err.value) == f"{laws_file}: 文件不是 UTF-8 编码，请用 UTF-8 重新保存。"


def test_law_notice_with_admonition_options_counts(site):
    append(site, WATER, '!!! note inline end "法律更新提示"\n\n    《合同法》已于 2021 年 1 月 1 日随《民法典》施行而失效。\n\n依据《合同法》的约定处理。')
    assert [f for f in findings_of(site) if ": KB401:" in f] == []
