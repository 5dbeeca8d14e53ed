"""The shared text pipeline: normalization, golden segmentation of domain terms, and the
query-time segmenter's agreement with the index."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_tools.errors import KbError
from kb_tools.segment import Segmenter
from kb_tools.text import IndexSegmenter, load_resources, normalize


@pytest.fixture(scope="module")
def index_segmenter():
    return IndexSegmenter(load_resources())


def index_terms(seg, text):
    return [t for t, _, _ in seg.tokens(normalize(text))]


@pytest.mark.parametrize("raw, expected", [
    ("保險理賠要準備什麼資料", "保险理赔要准备什么资料"),
    ("物業斷水怎樣賠償", "物业断水怎样赔偿"),
    ("ＡＰＰ权限", "app权限"),          # full-width Latin -> ASCII, lower-cased
    ("Running", "running"),              # no stemming
    ("⼈", "人"),                         # Kangxi radical -> CJK ideograph
    ("停水\x00\x1b[31m", "停水  [31m"),  # control characters become spaces
    ("\ud800停水", " 停水"),             # a lone surrogate from a broken terminal
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


# Golden segmentation of the domain's key terms at index time (jieba search mode + userdict).
@pytest.mark.parametrize("text, expected", [
    ("楼上漏水把地板泡了", ["楼上", "漏水", "地板", "泡"]),
    ("物业公司不给业委会看账", ["物业", "公司", "物业公司", "不", "委会", "业委会", "看", "账"]),
    ("专项维修资金怎么用", ["专项", "维修", "资金", "专项维修资金", "用"]),
    ("物业管理企业", ["物业", "管理", "企业", "物业管理企业"]),
    ("个人信息保护法", ["个人", "信息", "保护", "护法", "保护法", "个人信息保护法"]),
    ("业主的手机号码", ["业主", "手机", "号码", "手机号", "机号码", "手机号码"]),
    ("物管", ["物管"]),
    ("APP Running 110", ["app", "running", "110"]),
])
def test_index_segmentation_golden(index_segmenter, text, expected):
    assert index_terms(index_segmenter, text) == expected


def test_offsets_point_into_the_normalized_text(index_segmenter):
    text = normalize("楼上漏水把地板泡了")
    for term, start, end in index_segmenter.tokens(text):
        assert text[start:end] == term


def test_query_segmenter_follows_jieba_route_over_its_dictionary():
    seg = Segmenter({"物业": 5000, "公司": 8000, "物业公司": 300, "业主": 4000, "维修": 3000}, 60_000_000)
    assert seg.cut("物业公司维修") == ["物业公司", "维修"]
    assert seg.cut_for_search("物业公司维修") == ["物业", "公司", "物业公司", "维修"]
    # Unknown characters stay single; unknown Latin/digit runs stay whole, as in jieba.
    assert seg.cut("业主abc12电梯") == ["业主", "abc12", "电", "梯"]
    assert seg.cut("，。！  ") == []


def test_query_terms_are_index_terms_for_indexed_text(real_index):
    """Segmenting an indexed title at query time yields only terms the index holds."""
    from kb_tools.pages import load_library
    from kb_tools.search import Searcher

    with Searcher(real_index) as searcher:
        qd = searcher.qd
        for page in load_library(real_index.docs_dir).questions:
            terms = [t for t in qd.segmenter.cut_for_search(normalize(page.title)) if t not in qd.stopwords]
            unknown = [t for t in terms if not qd.df(t) and len(t) > 1]
            assert unknown == [], page.path


def test_bad_userdict_line_names_file_and_line(tmp_path):
    for name in ("userdict.txt", "synonyms.txt", "stopwords.txt"):
        (tmp_path / name).write_text("# 注释\n", encoding="utf-8")
    (tmp_path / "userdict.txt").write_text("# 注释\n物业\n物业费 很多\n", encoding="utf-8")
    with pytest.raises(KbError) as err:
        load_resources(tmp_path)
    assert str(err.value) == f"{tmp_path / 'userdict.txt'}:3: 每行应是“词”或“词 词频”，词频必须是正整数。"


def test_single_word_synonym_line_is_refused(tmp_path):
    for name in ("userdict.txt", "stopwords.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "synonyms.txt").write_text("物管 物业公司\n业委会\n", encoding="utf-8")
    with pytest.raises(KbError, match="synonyms.txt:2: 同义词每行至少要有两个词"):
        load_resources(tmp_path)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalize_accepts_any_text(text):
    out = normalize(text)
    assert isinstance(out, str)
    assert normalize(out) == out  # idempotent


def test_attribute_lists_never_reach_the_index():
    from kb_tools.markdown_text import plain_text

    assert plain_text("## 标题 { #anchor }\n\n正文{: data-x=1 }。{ .note }") == "正文。"
