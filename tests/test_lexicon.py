"""kb_tools.lexicon: general-Chinese tables read once a version and cached on disk."""

from __future__ import annotations

import json

import pytest

from kb_tools import lexicon
from kb_tools.text import IndexSegmenter, load_resources


@pytest.fixture(scope="module")
def frequencies():
    return IndexSegmenter(load_resources()).frequencies


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lexicon._tables.cache_clear()
    yield tmp_path / "cache" / "wuye-kb"
    lexicon._tables.cache_clear()


def test_tables_are_read_back_from_the_cache_and_a_broken_cache_is_rebuilt(frequencies, fresh_cache):
    first = lexicon.tables(frequencies)
    assert "为了" in first["function"] and first["readings"]["物"] == "wu"
    assert any(word == "新任" and sound == "xin ren" for word, _, sound in first["common"])
    [path] = fresh_cache.glob("lexicon-*.json")
    assert json.loads(path.read_text(encoding="utf-8")) == first

    lexicon._tables.cache_clear()
    path.write_text(json.dumps({"function": ["只是缓存里的"], "readings": {}, "common": []}), encoding="utf-8")
    assert lexicon.tables(frequencies)["function"] == ["只是缓存里的"]  # what a later build reads

    for broken in ("{not json", "[]", ""):
        lexicon._tables.cache_clear()
        path.write_text(broken, encoding="utf-8")
        assert lexicon.tables(frequencies) == first
        assert json.loads(path.read_text(encoding="utf-8")) == first  # written again, whole


def test_an_unwritable_cache_only_costs_time(frequencies, fresh_cache, tmp_path, monkeypatch):
    expected = lexicon.tables(frequencies)
    (tmp_path / "not-a-directory").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-directory"))
    lexicon._tables.cache_clear()
    assert lexicon.tables(frequencies) == expected


def test_other_domain_words_make_another_cache_file(frequencies, fresh_cache):
    lexicon.tables(frequencies)
    changed = dict(frequencies)
    changed["业主群"] = 500_000  # a domain word an editor adds
    lexicon.tables(changed)
    assert len(list(fresh_cache.glob("lexicon-*.json"))) == 2
