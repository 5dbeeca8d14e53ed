"""Search over a real index built in tmp_path from tiny Chinese pages."""

from __future__ import annotations

import pytest

from kb_tools.errors import IndexBusy, IndexUnavailable, QueryError
from kb_tools.indexer import build, ensure_fresh
from kb_tools.store import build_lock, current_generation, read_meta
from kb_tools.pages import load_library
from kb_tools.query import plan_query, shown_terms, t2s_char_table
from kb_tools.text import normalize
from kb_tools.search import Searcher

from conftest import write_pages


def paths(project, query, **kw):
    with Searcher(project) as s:
        return [r.path for r in s.search(query, **kw)]


def test_natural_question_ranks_the_answer_first(tiny_index):
    assert paths(tiny_index, "楼上漏水把地板泡了") == [
        "repairs/soaked-floor.md",
        "privacy/neighbour-contact.md",
    ]


def test_query_with_no_known_word_returns_nothing(tiny_index):
    assert paths(tiny_index, "区块链比特币") == []


def test_traditional_script_query_finds_simplified_page(tiny_index):
    assert paths(tiny_index, "停水造成損失，物業要賠償嗎")[0] == "repairs/water-outage.md"


def test_full_width_and_case_are_normalized(tiny_index):
    assert paths(tiny_index, "ＡＢＣ 停水")[0] == "repairs/water-outage.md"


def test_synonym_finds_page_that_uses_the_other_word(tiny_index):
    # The pages say 停水； 断水 is its synonym in kb_tools/data/synonyms.txt.
    assert paths(tiny_index, "断水")[0] == "repairs/water-outage.md"


def test_alias_counts_like_a_title(tiny_index):
    assert paths(tiny_index, "想找对门邻居的电话")[0] == "privacy/neighbour-contact.md"


def test_nav_pages_are_not_answers(tiny_index):
    # The category index says 维修和赔偿 too, but it is navigation, not an answer.
    assert "repairs/index.md" not in paths(tiny_index, "维修 赔偿")


def test_category_and_tag_filters(tiny_index):
    assert paths(tiny_index, "漏水", category="privacy") == ["privacy/neighbour-contact.md"]
    assert paths(tiny_index, "漏水", tag="地板") == ["repairs/soaked-floor.md"]


def test_substring_fallback_never_answers_nothing_when_words_occur(tiny_index):
    # 泡 alone is not an indexed term (jieba keeps 泡 inside longer words), but it occurs.
    assert paths(tiny_index, "泡") != []


def test_long_pasted_text_is_reduced_to_informative_terms(tiny_index):
    text = "您好，我是三号楼的业主。" + "今天早上起来发现家里一直停水，" * 200 + "请问物业要赔偿吗？"
    with Searcher(tiny_index) as s:
        from kb_tools.query import MAX_QUERY_TERMS, plan_query

        plan = plan_query(text, s.qd)
        assert len(plan.terms) <= MAX_QUERY_TERMS
        assert s.search(text)[0].path == "repairs/water-outage.md"


def test_result_carries_url_snippet_and_highlights(tiny_index):
    with Searcher(tiny_index) as s:
        top = s.search("停水 赔偿")[0]
    assert top.url == "https://kb.example.org/repairs/water-outage/"
    assert top.title == "停水造成损失，物业要赔偿吗？"
    assert top.category == "维修与赔偿"
    assert [top.snippet[a:b] for a, b in top.spans] == ["停水", "赔偿"]


def test_empty_query_is_refused_with_a_message(tiny_index):
    with Searcher(tiny_index) as s, pytest.raises(QueryError, match="查询是空的"):
        s.search(" ，。\x00 ")


def test_incremental_build_touches_only_changed_pages(tiny_index):
    docs = tiny_index.docs_dir
    write_pages(docs, {"privacy/neighbour-contact.md": (docs / "privacy/neighbour-contact.md").read_text() + "\n补充：快递柜。\n"})
    (docs / "repairs/soaked-floor.md").unlink()
    water = docs / "repairs/water-outage.md"
    water.write_text(water.read_text().replace("related: [soaked-floor.md]\n", ""))
    report = build(tiny_index)
    assert (report.full, report.added, report.changed, report.removed) == (
        False, [], ["privacy/neighbour-contact.md", "repairs/water-outage.md"], ["repairs/soaked-floor.md"])
    assert paths(tiny_index, "快递柜") == ["privacy/neighbour-contact.md"]
    assert "repairs/soaked-floor.md" not in paths(tiny_index, "地板")
    assert build(tiny_index).up_to_date


def test_incremental_build_counts_only_the_pages_there_are(tiny_index, tmp_path):
    """Whoosh keeps counting a changed or removed page (its terms, its length) until its segment
    merges; the query dictionary the ranking reads counts the pages as a full build does."""
    from kb_tools.project import Project

    docs = tiny_index.docs_dir
    write_pages(docs, {"privacy/neighbour-contact.md": (docs / "privacy/neighbour-contact.md").read_text() + "\n补充：快递柜。\n"})
    (docs / "repairs/soaked-floor.md").unlink()
    water = docs / "repairs/water-outage.md"
    water.write_text(water.read_text().replace("related: [soaked-floor.md]\n", ""))
    assert not build(tiny_index).full
    full = Project(tiny_index.root, index_path=tmp_path / "full")
    build(full, full=True)
    incremental, fresh = (current_generation(p.index_dir) / "querydict.json" for p in (tiny_index, full))
    assert incremental.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")


def test_a_synonym_the_page_lacks_adds_nothing_to_its_score(tiny_index):
    """Whoosh's DisjunctionMax gave a page the score of the next page holding a synonym, when higher."""
    from kb_tools import engine
    from kb_tools.query import QueryDictionary

    write_pages(tiny_index.docs_dir, {"repairs/water-supply.md": """
        ---
        title: 小区断水了怎么办？
        category: 维修与赔偿
        tags: [断水]
        aliases: [断水一整天]
        reviewed: 2026-11-01
        status: published
        ---
        ## 简要回答

        断水时先问物业断水的原因。
        """})
    build(tiny_index, full=True)  # one segment: the synonym's postings run past this page
    generation = current_generation(tiny_index.index_dir)
    ix = engine.open_dir(str(generation))
    with engine.open_searcher(ix, QueryDictionary.load(generation)) as searcher:
        alone, with_synonym = (
            {hit.path: hit.score for hit in engine.search(searcher, groups, limit=5)}
            for groups in ([[("停水", 1.0)]], [[("停水", 1.0), ("断水", 1.0)]]))
    ix.close()
    assert list(alone) == ["repairs/water-outage.md"]
    assert list(with_synonym) == ["repairs/water-supply.md", "repairs/water-outage.md"]
    assert with_synonym["repairs/water-outage.md"] == alone["repairs/water-outage.md"]


def test_failed_build_leaves_previous_index_usable(tiny_index, disk_full_midway):
    before = current_generation(tiny_index.index_dir)
    docs = tiny_index.docs_dir
    write_pages(docs, {"repairs/new-page.md": (docs / "repairs/water-outage.md").read_text().replace("停水造成损失", "电梯故障")})
    with pytest.raises(IndexUnavailable, match="磁盘空间不足"):
        build(tiny_index, full=True)
    assert current_generation(tiny_index.index_dir) == before
    assert not list(tiny_index.index_dir.glob(".tmp-*"))
    assert paths(tiny_index, "地板")[0] == "repairs/soaked-floor.md"


def test_second_builder_gets_a_clear_message(tiny_index):
    with build_lock(tiny_index.index_dir, wait=0):
        with pytest.raises(IndexBusy, match="另一个 `kb index` 正在重建索引"):
            build(tiny_index, wait=0.2)


def test_search_builds_a_missing_index_and_says_so(tiny_project):
    said = []
    report = ensure_fresh(tiny_project, notify=said.append)
    assert said == ["索引不存在，正在建立……"]
    assert report.added and paths(tiny_project, "停水")


def test_search_rebuilds_when_pages_are_newer(tiny_index):
    said = []
    assert ensure_fresh(tiny_index, notify=said.append) is None and said == []
    docs = tiny_index.docs_dir
    write_pages(docs, {"repairs/water-outage.md": (docs / "repairs/water-outage.md").read_text() + "\n电梯\n"})
    ensure_fresh(tiny_index, notify=said.append)
    assert said == ["页面有更新，正在更新索引……"]
    assert paths(tiny_index, "电梯") == ["repairs/water-outage.md"]


def test_pipeline_version_change_forces_full_rebuild(tiny_index, monkeypatch):
    import kb_tools.indexer as indexer

    monkeypatch.setattr(indexer, "PIPELINE_VERSION", 999)
    assert indexer.is_stale(tiny_index, read_meta(current_generation(tiny_index.index_dir)))
    assert build(tiny_index).full


def test_lone_characters_of_an_unknown_phrase_do_not_match(real_index):
    # 区, 比 and 特 occur in the knowledge base (小区, 比如, 特定) but 区块链比特币 is not about them.
    assert paths(real_index, "区块链比特币") == []


def test_incremental_build_validates_the_changed_page(tiny_index):
    from kb_tools.errors import PageError

    before = current_generation(tiny_index.index_dir)
    page = tiny_index.docs_dir / "repairs/water-outage.md"
    page.write_text(page.read_text().replace("status: published", "status: 已发布"))
    with pytest.raises(PageError) as err:
        build(tiny_index)
    assert str(err.value) == "repairs/water-outage.md:7: 字段 `status` 只能是 published 或 needs-review（当前为 `已发布`）。"
    assert current_generation(tiny_index.index_dir) == before


def test_pinyin_typos_are_heard_as_the_words_they_sound_like(tiny_index):
    # 停水 typed as 听水 and 赔偿 as 陪偿 on a pinyin IME: both sound exactly like indexed words.
    with Searcher(tiny_index) as s:
        assert plan_query("听水陪偿", s.qd).text == "停水赔偿"
        assert s.search("听水陪偿")[0].path == "repairs/water-outage.md"


def test_real_words_that_sound_like_index_words_are_left_alone(real_index):
    with Searcher(real_index) as s:
        assert "信任" in s.qd.words and s.qd.df("信任")  # the index holds 信任 (xin ren) …
        assert plan_query("新任物业领导如何建立权威", s.qd).text == "新任物业领导如何建立权威"  # … 新任 stays
        assert plan_query("误业费可以不交吗", s.qd).text == "物业费可以不交吗"
        # Less common real words too: 保修 (a warranty; jieba frequency 28) is not 报修 (a repair call).
        assert s.qd.df("报修") and plan_query("卫生间防水保修期是几年", s.qd).text == "卫生间防水保修期是几年"


def test_traditional_queries_convert_every_character_the_index_could_match(real_index):
    """The query dictionary carries only the conversions whose simplified character some table
    knows; every character of every page is among them."""
    with Searcher(real_index) as s:
        kept = set(s.qd.t2s.values())
        for page in load_library(real_index.docs_dir).questions:
            for ch in normalize(page.title + page.body):
                assert ch not in t2s_char_table().values() or ch in kept, (page.path, ch)
        assert plan_query("樓上漏水把地板泡壞了", s.qd).text == "楼上漏水把地板泡坏了"


def test_incremental_builds_rank_every_evaluation_query_like_a_full_build(site, tmp_path):
    """`kb search` updates the index in place on every staff machine (ensure_fresh): whatever
    builds led to it, it must rank like `kb index --full` of the same pages, path for path and
    score for score. Whoosh keeps a replaced or removed page in its statistics until its
    segment merges, and merges now and then: this sequence goes through a merge and ends with
    deleted pages still inside the index."""
    from kb_tools import engine
    from kb_tools.evaluate import load_eval_set
    from kb_tools.project import Project

    from conftest import ROOT

    docs = site.docs_dir
    pages = ["compensation/water-outage.md", "fees/refuse-fee.md", "privacy/find-owner-contact.md",
             "community/parking.md", "service/complaint-handling.md"]
    original = {rel: (docs / rel).read_text(encoding="utf-8") for rel in pages}

    def edit(rel, line):
        (docs / rel).write_text(original[rel] + f"\n{line}\n", encoding="utf-8")

    reports = [build(site, full=True)]
    for rel in pages[:3]:  # as reported: three pages gain a line, then lose it again
        edit(rel, "补充一句：请先联系物业前台。")
    reports.append(build(site))
    for rel in pages[:3]:
        (docs / rel).write_text(original[rel], encoding="utf-8")
    reports.append(build(site))
    added = original["compensation/water-outage.md"].replace("物业断水造成损失", "电梯停运耽误上班")
    write_pages(docs, {"compensation/elevator-outage.md": added})
    edit("community/parking.md", "车位租金的收据要保存好。")
    reports.append(build(site))
    (docs / "management/morning-meeting.md").unlink()
    edit("fees/refuse-fee.md", "拒交物业费前，先书面提出异议。")
    reports.append(build(site))
    for n, rel in enumerate(pages):
        edit(rel, f"第 {n} 次补充：电梯年检由物业安排。")
        reports.append(build(site))
    ix = engine.open_dir(str(current_generation(site.index_dir)))
    with engine.open_reader(ix) as reader:
        live, held = reader.doc_count(), reader.doc_count_all()
    ix.close()
    written = sum(len(r.added) + len(r.changed) for r in reports)
    assert live < held < written  # deleted pages still held, and others merged away
    full = Project(site.root, index_path=tmp_path / "full")
    build(full, full=True)

    cases = load_eval_set(str(ROOT / "tests" / "eval" / "queries.yml"))
    cases += load_eval_set(str(ROOT / "tests" / "eval" / "unseen.yml"))

    def rankings(project):
        with Searcher(project) as searcher:
            return [(answered, [(r.path, r.score) for r in results])
                    for case in cases for answered, results in [searcher.verdict(case.query, limit=10)]]

    differ = [(case.query, inc, ful) for case, inc, ful in zip(cases, rankings(site), rankings(full)) if inc != ful]
    if differ:
        query, inc, ful = differ[0]
        (said_inc, inc), (said_ful, ful) = inc, ful
        at = next((i for i, (a, b) in enumerate(zip(inc, ful)) if a != b), min(len(inc), len(ful)))
        pytest.fail(f"{len(differ)} of {len(cases)} queries rank differently; the first: {query}, from rank {at + 1}:\n"
                    f"  incremental: {said_inc} {inc[at:at + 2]}\n  full:        {said_ful} {ful[at:at + 2]}")


def test_results_mark_words_not_function_words(real_index):
    """A lone character never makes a result, and a function word (不, 里, 用, 不能) is not marked in
    one either, unless the query has nothing else. 泡 says what the question is about."""
    with Searcher(real_index) as s:
        for query in ("小区里遛狗不拴绳找物业有用不", "我家楼下那户一直没人住物业能不能把他手机号告诉我"):
            results = s.search(query)
            spans = [r.snippet[a:b] for r in results for a, b in r.spans]
            assert spans and not [t for t in spans if t in s.qd.function], (query, spans)
        assert "泡" in shown_terms(plan_query("地板泡了", s.qd), s.qd)
        assert shown_terms(plan_query("不能", s.qd), s.qd) == {"不能"}
