"""Article numbers of the 民法典 and the list of articles the site cites."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb_tools.civil_code import ARTICLES_FILE, LAST_ARTICLE, chinese_numeral, label, load_articles, parse_numeral
from kb_tools.errors import KbError
from kb_tools.pages import load_library

from conftest import ROOT


@pytest.mark.parametrize("text, number", [
    ("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("一百一十一", 111), ("二百七十八", 278),
    ("九百四十四", 944), ("一千零一", 1001), ("一千零一十", 1010), ("一千零三十二", 1032),
    ("一千二百六十", 1260), ("一千三百", 1300), ("944", 944), ("９４４", 944),
    ("一百十一", 111), ("一千三十二", 1032),  # parsed, then reported as not the code's spelling
])
def test_numerals_are_parsed(text, number):
    assert parse_numeral(text) == number


@pytest.mark.parametrize("text", ["", "二二", "百", "千", "一百一千", "十十", "零十", "一万", "第一", "甲"])
def test_malformed_numerals_are_refused(text):
    assert parse_numeral(text) is None


@given(st.integers(min_value=1, max_value=LAST_ARTICLE))
def test_every_article_number_round_trips_in_the_codes_spelling(number):
    assert parse_numeral(chinese_numeral(number)) == number
    assert re.fullmatch(r"第[零一二三四五六七八九十百千]+条", label(number))


def test_labels_follow_the_code():
    assert [label(n) for n in (10, 111, 278, 1010, 1032, 1260)] == [
        "第十条", "第一百一十一条", "第二百七十八条", "第一千零一十条", "第一千零三十二条", "第一千二百六十条"]


def test_every_listed_article_is_cited_by_the_site_and_has_a_subject():
    """The list is what the site cites (KB402 checks the other direction): no stale entries."""
    articles = load_articles()
    pages = load_library(ROOT / "docs").pages.values()
    in_sources = {a for page in pages for s in page.sources for a in s.articles}
    assert in_sources <= {label(n) for n in articles}
    text = "".join(page.body for page in pages)
    assert [label(n) for n in articles if label(n) not in in_sources and label(n) not in text] == []
    assert all(len(subject) >= 2 for subject in articles.values())
    assert list(articles) == sorted(articles)


@pytest.mark.parametrize("line, message", [
    ("第九百四十四条", "每行应是“条号 主题”，用空格分隔，例如“第九百四十四条 物业费的交纳与催交”。"),
    ("九百四十四条 物业费", "每行应是“条号 主题”，用空格分隔，例如“第九百四十四条 物业费的交纳与催交”。"),
    ("第一千三百条 不存在", "“第一千三百条”不是《民法典》的条号（第一条到第一千二百六十条）。"),
    ("第一百十一条 个人信息", "“第一百十一条”请写作“第一百一十一条”。"),
    ("第九百四十四条 重复", "第九百四十四条重复出现。每一条只写一行。"),
])
def test_list_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "kb.txt"
    first = "第一条 立法目的" if "重复" not in line else "第九百四十四条 物业费"
    path.write_text(f"{first}\n{line}\n", encoding="utf-8")
    with pytest.raises(KbError) as err:
        load_articles(path)
    assert str(err.value) == f"{path}:2: {message}"


def test_list_ships_with_the_package():
    assert ARTICLES_FILE.is_file() and ARTICLES_FILE.parent.name == "data"
