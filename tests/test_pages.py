"""The page loader, and the curated content it loads."""

from __future__ import annotations

import re
import textwrap

import pytest

from kb_tools.errors import PageError
from kb_tools.pages import load_library, parse_page, read_page

from conftest import ROOT

DOCS = ROOT / "docs"
JUNK = ["返回首页", "161 2023-11-21", "09:31 admin", "顶一下", "踩一下", "相关评论", "我要评论", "用户名", "验证码",
        "点击我更换图片", "weiqiangcn", "http://", "更多物业服务", "过错又在\n"]


@pytest.fixture(scope="module")
def library():
    return load_library(DOCS)


def page_text(**fields):
    base = {"title": "停水了怎么办？", "category": "损失与赔偿", "tags": "[停水]", "aliases": "[没水了]",
            "reviewed": "2026-11-26", "status": "published"}
    base.update(fields)
    front = "\n".join(f"{k}: {v}" for k, v in base.items() if v is not None)
    return f"---\n{front}\n---\n正文。\n"


# -- the loader -------------------------------------------------------------------------------

def test_question_page_becomes_a_typed_record():
    page = parse_page(page_text(source="{title: 来源, date: 2023-11-21, sections: [5, 8]}"), "compensation/x.md")
    assert (page.kind, page.title, page.category, page.tags, page.aliases, page.status) == (
        "question", "停水了怎么办？", "损失与赔偿", ("停水",), ("没水了",), "published")
    assert page.reviewed.isoformat() == "2026-11-26"
    assert page.source.sections == (5, 8)
    assert page.body == "正文。\n" and page.body_line == 10


def test_sources_name_an_article_and_a_law():
    page = parse_page(page_text(sources="[{title: 来源, date: 2023-11-21, sections: [5]}, "
                                        "{title: 中华人民共和国民法典, articles: [第九百四十四条, 第二百七十八条]}]"),
                      "compensation/x.md")
    assert [(s.title, s.sections, s.articles) for s in page.sources] == [
        ("来源", (5,), ()), ("中华人民共和国民法典", (), ("第九百四十四条", "第二百七十八条"))]
    assert page.source.sections == (5,)  # the curated article, whichever place it has in the list


def test_source_and_sources_together_are_refused():
    text = page_text(source="{title: 来源, date: 2023-11-21, sections: [5]}",
                     sources="[{title: 中华人民共和国民法典, articles: [第九百四十四条]}]")
    with pytest.raises(PageError) as err:
        parse_page(text, "compensation/x.md")
    assert (err.value.line, err.value.message) == (
        9, "`source` 和 `sources` 只能写一个：有多个出处时，把它们都写进 `sources` 列表。")


def test_reference_pages_carry_sources_too():
    page = parse_page("---\ntitle: 条文\nsources: [{title: 民法典, articles: [第一百一十一条]}]\n---\n正文\n", "law/x.md")
    assert page.kind == "page" and page.sources[0].articles == ("第一百一十一条",)


@pytest.mark.parametrize("fields, line, message", [
    ({"title": None}, 1, "缺少必填字段 `title`"),
    ({"reviewed": "2026-13-40"}, 6, "字段 `reviewed` 必须是日期，格式为 YYYY-MM-DD"),
    ({"status": "done"}, 7, "字段 `status` 只能是 published 或 needs-review"),
    ({"tags": "停水"}, 4, "字段 `tags` 必须是列表"),
    ({"aliases": "[]"}, 5, "字段 `aliases` 至少需要 1 项"),
    ({"source": "{title: 来源, date: 2023-11-21, sections: [0]}"}, 8, "`source.sections` 必须是正整数列表"),
    ({"author": "张三"}, 8, "未知字段 `author`"),
    ({"sources": "[{title: 中华人民共和国民法典, articles: [九百四十四条]}]"}, 8,
     "`sources.articles` 中的“九百四十四条”不是条号。请写成“第九百四十四条”这样的形式，一项一条。"),
    ({"sources": "[{title: 中华人民共和国民法典, articles: [第二二条]}]"}, 8, "`sources.articles` 中的“第二二条”不是条号"),
    ({"sources": "[{title: 中华人民共和国民法典, articles: []}]"}, 8, "`sources.articles` 必须是条号列表"),
    ({"sources": "{title: 中华人民共和国民法典, articles: [第九百四十四条]}"}, 8, "字段 `sources` 必须是列表"),
    ({"sources": "[{title: 来源, date: 2023-11-21, sections: [3], articles: [第一条]}]"}, 8,
     "`sources` 的一项不能同时有 `sections` 和 `articles`"),
    ({"sources": "[{title: 民法典, article: [第一条]}]"}, 8, "`sources` 中有未知字段 `article`"),
    ({"sources": "[{articles: [第一条]}]"}, 8, "`sources.title` 必须是来源文章的标题或法律的名称"),
    ({"tags": "[停水， 赔偿]"}, 4, "标签“停水， 赔偿”里有空格或逗号"),
    ({"tags": "[停水, '<svg/onload=alert(1)>']"}, 4, "字段 `tags` 中的 `<` 会被网站当作网页代码"),
    ({"description": "'\">点我'"}, 8, "字段 `description` 中的 `\"` 会被网站当作网页代码"),
])
def test_schema_errors_name_the_line(fields, line, message):
    with pytest.raises(PageError) as err:
        parse_page(page_text(**fields), "compensation/x.md")
    assert err.value.line == line and message in err.value.message
    assert str(err.value).startswith(f"compensation/x.md:{line}: ")


FRONT = "---\ntitle: 停水了怎么办？\ncategory: 损失与赔偿\n{line4}\naliases: [没水了]\nstatus: published\n---\n正文。\n"


@pytest.mark.parametrize("line4, line, message", [
    # PyYAML notices the missing ] on line 5; the mistake is on line 4.
    ("tags: [停水, 赔偿", 4, "（第 4 行第 14 列）：缺少“]”：这一行第 7 列的“[”没有配对的“]”。"
                          "请在这一行末尾补上“]”，例如 `tags: [停水, 赔偿]`。"),
    ("source: {title: 来源, date: 2023-11-21", 4, "（第 4 行第 37 列）：缺少“}”：这一行第 9 列的“{”没有配对的“}”。"
     "请在这一行末尾补上“}”，例如 `source: {title: 怎样通过物业找到业主？, date: 2023-11-21, sections: [5]}`。"),
    ("\ttags: [停水]", 4, "（第 4 行第 1 列）：行首用了制表符（Tab）。front matter 只能用空格缩进：请把 Tab 换成空格（列表项前用两个空格）。"),
    ("tags: [停水]\nreview_note: 注意: 这里要核对", 5, "（第 5 行第 16 列）：值里有英文冒号加空格“: ”，会被当成新的字段。"
     "请给整个值加上引号，例如 `title: \"注意: 停水\"`，或把冒号改为中文冒号“：”。"),
    ("tags：[停水]", 4, "（第 4 行第 5 列）：字段名后面用了中文冒号“：”。字段名和值之间要用英文冒号加空格，例如 `title: 停水了怎么办？`。"),
    ("tags [停水]", 4, "（第 4 行第 1 列）：这一行缺少英文冒号。每个字段写成 `字段名: 值`（冒号后面有一个空格）。"),
    ("tags: [停水]\nreview_note: \"要核对", 5, "（第 5 行第 14 列）：引号“\"”没有配对的另一半。请在这个值的末尾补上“\"”，或者去掉引号。"),
    ("  tags: [停水]", 4, "（第 4 行第 1 列）：这一行前面多了空格。字段名要顶格写，与上面的字段对齐。"),
    ("tags: [停水]]", 4, "（第 4 行第 11 列）：多了一个“]”。请删掉它，或检查括号是否成对。"),
    ("tags:\n  - 停水\n - 赔偿", 6, "（第 6 行第 2 列）：这一行的缩进与上面的字段不一致。同一层的字段要对齐；列表项 `- ` 前面的空格要一样多。"),
    ("tags: [@停水]", 4, "（第 4 行第 8 列）：值不能以“@”开头。请给整个值加上引号，例如 `title: \"@…\"`。"),
])
def test_yaml_mistakes_are_explained_in_chinese_on_their_own_line(line4, line, message):
    with pytest.raises(PageError) as err:
        parse_page(FRONT.format(line4=line4), "compensation/x.md")
    assert str(err.value) == f"compensation/x.md:{line}: front matter 格式有误{message}"


def test_non_utf8_file_is_refused_with_its_line(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/b.md").write_bytes("---\ntitle: 停水\n---\n".encode() + "第四行".encode("gbk"))
    with pytest.raises(PageError, match=r"a/b.md:4: 文件不是 UTF-8 编码"):
        read_page(tmp_path, "a/b.md")


def test_category_must_match_its_folder(tmp_path):
    (tmp_path / "compensation").mkdir()
    (tmp_path / "compensation/index.md").write_text("---\ntitle: 损失与赔偿\n---\n", encoding="utf-8")
    (tmp_path / "compensation/x.md").write_text(page_text(category="沟通与投诉"), encoding="utf-8")
    with pytest.raises(PageError, match=r"compensation/x.md:3: `category: 沟通与投诉` 与所在目录的分类“损失与赔偿”不一致"):
        load_library(tmp_path)


# -- the curated content ----------------------------------------------------------------------

def test_every_page_loads(library):
    assert len(library.questions) >= 10
    assert set(library.categories) == {"compensation", "privacy", "service", "management", "fees", "community"}


def test_every_source_section_is_curated(library):
    covered = {n for page in library.questions if page.source for n in page.source.sections}
    assert covered == set(range(1, 11))


def test_every_question_page_is_complete(library):
    for page in library.questions:
        assert page.title.endswith("？"), page.path
        assert page.body.lstrip().startswith("## 简要回答"), page.path
        assert len(page.aliases) >= 3, page.path
        assert page.related, page.path
        assert page.status != "needs-review" or page.review_note, page.path


@pytest.mark.parametrize("junk", JUNK)
def test_no_junk_from_the_source_page(junk):
    for path in DOCS.rglob("*.md"):
        assert junk not in path.read_text(encoding="utf-8"), path


def test_evident_typos_are_fixed():
    text = "".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md"))
    assert "若姓名" not in text and "若漏水" not in text
    assert "象摩托罗拉" not in text
    assert '\\"' not in text and "唐拉德" not in text


def test_morning_meeting_tone_is_professional(library):
    body = library.pages["management/morning-meeting.md"].body
    for phrase in ("以气势震慑", "欺负", "铁腕"):
        assert phrase not in body


def test_every_page_drawn_from_a_source_names_it(library):
    """Question pages all come from the source article or the 民法典; the law page from both."""
    for page in library.questions + [library.pages["law/civil-code-personal-information.md"]]:
        assert page.sources, page.path
        cites = re.findall(r"《民法典》第", page.body)
        assert not cites or any(s.articles for s in page.sources), page.path


def test_tender_and_outage_pages_are_answered_on_the_civil_code(library):
    """三 and 五 were placeholders; now each cites the articles it rests on and is published."""
    for rel, section in (("management/property-tender.md", 3), ("compensation/water-outage.md", 5)):
        page = library.pages[rel]
        articles = next(s.articles for s in page.sources if s.articles)
        assert page.status == "published" and page.source.sections == (section,), rel
        assert all(f"《民法典》{a}" in page.body or a in page.body for a in articles), rel
    text = "".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md"))
    assert not re.search(r"原文[^。\n]*只给出了一句话", text)


def test_outdated_laws_carry_a_notice(library):
    for page in library.questions:
        if "物权法" in page.body:
            assert '!!! note "法律更新提示"' in page.body and "2021" in page.body, page.path
    privacy = library.pages["privacy/personal-information-collection.md"].body
    assert "个人信息保护法" in privacy and "2021" in privacy


def test_civil_code_articles_have_anchors_and_leave_out_unrelated_ones(library):
    body = library.pages["law/civil-code-personal-information.md"].body
    anchors = re.findall(r"\{#(第[^}]+条)\}", body)
    assert anchors == ["第一百一十一条"] + [f"第一千零三十{n}条" for n in "二三四五六七八九"]
    assert "第一千零三十条 " not in body and "荣誉权。" not in body


def test_lone_surrogate_in_front_matter_is_a_page_error():
    with pytest.raises(PageError) as err:
        parse_page("---\ntitle: 停水\ntags: [\ud800]\n---\n", "a/b.md")
    assert (err.value.line, err.value.message) == (3, "front matter 含有无法保存为 UTF-8 的字符，请删除后重新输入。")
