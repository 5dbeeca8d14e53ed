"""Property-based tests (hypothesis) for everything that takes user text: queries, the command
line, page content and front matter. No traceback, bounded time, a clear Chinese message where
input is refused.

`pytest tests/test_fuzz.py --hypothesis-show-statistics` reports how many inputs each property tried.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_tools.cli import main
from kb_tools.errors import KbError, PageError, QueryError
from kb_tools.indexer import build
from kb_tools.pages import QUESTION_FIELDS, OPTIONAL_QUESTION_FIELDS, parse_page, read_page
from kb_tools.project import Project
from kb_tools.query import plan_query
from kb_tools.ranking import MAX_QUERY_CHARS
from kb_tools.search import Searcher

from conftest import MKDOCS_YML, ROOT, TINY_PAGES, write_pages

KB = Path(sys.executable).with_name("kb")
EMPTY_QUERY = "查询是空的。请输入要查找的问题，例如：kb search 楼上漏水把地板泡了"
TINY_ANSWERS = {"repairs/water-outage.md", "repairs/soaked-floor.md", "privacy/neighbour-contact.md"}


@pytest.fixture(scope="module")
def tiny_searcher(pristine_kb):
    with Searcher(Project(pristine_kb)) as searcher:
        yield searcher


@pytest.fixture(scope="module")
def real_searcher(real_index):
    with Searcher(real_index) as searcher:
        yield searcher


@contextlib.contextmanager
def kb_root(root: Path):
    """KB_ROOT for in-process `main()` (monkeypatch is per test; hypothesis runs many inputs per test)."""
    saved = {k: os.environ.get(k) for k in ("KB_ROOT", "KB_INDEX_DIR")}
    os.environ["KB_ROOT"] = str(root)
    os.environ.pop("KB_INDEX_DIR", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# -- strategies -------------------------------------------------------------------------------

# Every code point, lone surrogates included (a terminal can hand them over through surrogateescape).
ANY_CHAR = st.characters(exclude_categories=())
CONTROL_CHAR = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"])
WHOOSH_TOKENS = ["title:", "body:", "path:", "tag:", "AND", "OR", "NOT", "ANDNOT", "(", ")", "*", "?", "~", "~2",
                 "^", "^3", '"', "'", "[", "]", "{", "}", "TO", "\\", ":", "-", "+", "/", "<", ">", "=",
                 "停水", "赔偿", "漏水", "邻居", "x", "z*", "*水", "漏?", "a:b", "*:*", "%", "&&", "||", "!"]
WHOOSH_QUERY = st.lists(st.tuples(st.sampled_from(WHOOSH_TOKENS) | st.text(ANY_CHAR, max_size=3),
                                   st.sampled_from(["", " "])), max_size=30).map(lambda parts: "".join(a + b for a, b in parts))
QUERY = st.text(ANY_CHAR, max_size=200) | st.text(CONTROL_CHAR, max_size=50) | WHOOSH_QUERY


def check_search(searcher: Searcher, raw: str, answers: set[str] | None = None) -> list:
    """One query: results or the empty-query message; never anything else."""
    try:
        results = searcher.search(raw)
    except QueryError as err:
        assert str(err) == EMPTY_QUERY
        assert not re.search(r"\w", plan_query(raw, searcher.qd).text)
        results = None
    if results is None:
        return []
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    assert len({r.path for r in results}) == len(results)
    if answers is not None:
        assert {r.path for r in results} <= answers
    for r in results:
        assert all(0 <= a < b <= len(r.snippet) for a, b in r.spans)
        json.dumps(r.as_json(), ensure_ascii=False).encode("utf-8")  # printable by `kb search --json`
    return results


# -- queries ----------------------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(raw=QUERY)
def test_any_query_answers_or_is_refused_with_the_message(tiny_searcher, raw):
    check_search(tiny_searcher, raw, TINY_ANSWERS)


@settings(max_examples=150, deadline=None)
@given(raw=WHOOSH_QUERY)
def test_whoosh_query_syntax_is_plain_text(tiny_searcher, raw):
    results = check_search(tiny_searcher, raw, TINY_ANSWERS)
    # No field, operator or wildcard reaches Whoosh: only the words themselves count.
    words = re.sub(r"(title|body|path|tag|AND|OR|NOT|ANDNOT|TO)|[^\w]", " ", raw)
    if not re.search(r"\w", words):
        assert results == []


def test_whoosh_syntax_examples(tiny_searcher):
    assert [r.path for r in tiny_searcher.search("title:x AND (停水 OR z*)")][:1] == ["repairs/water-outage.md"]
    assert tiny_searcher.search("path:repairs/water-outage.md") == []
    with pytest.raises(QueryError, match=EMPTY_QUERY):
        tiny_searcher.search("(* ?) ~ ^ \\ [{}]")


ALPHABETS = {
    "any code point": lambda rng: chr(rng.randrange(0x110000)),
    "CJK": lambda rng: chr(rng.randrange(0x4E00, 0xA000)),
    "control and combining": lambda rng: rng.choice("\x00\x07\x1b\u200b\u200d\u202e\ufeff\u0301\u20dd\ud800\udfff"),
    "one letter": lambda rng: "a",
    "one han": lambda rng: "水",
}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), alphabet=st.sampled_from([*ALPHABETS, "indexed words"]))
def test_query_of_20000_random_characters_is_answered(real_searcher, seed, alphabet):
    """Against the real index, whose dictionary is the largest: the worst case for planning."""
    rng = random.Random(seed)
    if alphabet == "indexed words":
        words = sorted(real_searcher.qd.words)
        parts, size = [], 0
        while size < MAX_QUERY_CHARS:
            parts.append(rng.choice(words))
            size += len(parts[-1])
        raw = "".join(parts)[:MAX_QUERY_CHARS]
    else:
        raw = "".join(ALPHABETS[alphabet](rng) for _ in range(MAX_QUERY_CHARS))
    check_search(real_searcher, raw)
    check_search(real_searcher, raw * 3)  # longer than the limit: the rest is ignored, not slower


# -- the command line -------------------------------------------------------------------------

def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.text(ANY_CHAR, max_size=40) | WHOOSH_QUERY, min_size=1, max_size=4))
def test_kb_search_in_process_never_fails_unexpectedly(pristine_kb, words):
    with kb_root(pristine_kb):
        code, out, err = run_main(["search", "--json", "--", *words])
    assert "Traceback" not in err
    if code in (0, 1):
        answer = json.loads(out)
        assert err == "" and answer["answered"] is (code == 0)
        assert {r["path"] for r in answer["results"]} <= TINY_ANSWERS
    else:
        assert (code, out, err) == (2, "", f"错误：{EMPTY_QUERY}\n")


def test_empty_query_exit_code_and_message(pristine_kb):
    with kb_root(pristine_kb):
        for argv in (["search", ""], ["search", "  ", "\t"], ["search", "，。？！"], ["search", "--", "\x00\x1b"]):
            assert run_main(argv) == (2, "", f"错误：{EMPTY_QUERY}\n"), argv


def test_in_process_surrogates_from_the_terminal(pristine_kb):
    with kb_root(pristine_kb):
        code, out, err = run_main(["search", "--json", "\udcff\udcfe停水"])
        assert (code, err) == (0, "") and json.loads(out)["results"][0]["path"] == "repairs/water-outage.md"
        assert run_main(["search", "\udcff"]) == (2, "", f"错误：{EMPTY_QUERY}\n")
        assert run_main(["search", "--category", "\udcff", "停水"])[::2] == (
            1, "错误：没有名为“\udcff”的分类。可用的分类：业主隐私（privacy）、维修与赔偿（repairs）。\n")


NO_RESULT = ""  # said on stdout: 知识库里没有直接回答这个问题的页面。…
# argv as the terminal hands it over: bytes, decoded by Python with surrogateescape.
ARGV = {
    "invalid UTF-8 before a word": ([b"\xff\xfe\xe5\x81\x9c\xe6\xb0\xb4"], 0, ""),
    "an encoded lone surrogate": ([b"\xed\xa0\x80"], 2, f"错误：{EMPTY_QUERY}\n"),
    "a truncated character": ([b"\xe5\x81"], 2, f"错误：{EMPTY_QUERY}\n"),
    "escape sequences and bell": ([b"\x1b[31m\x07\x1b]0;x\x07"], 1, NO_RESULT),
    "whoosh syntax": ([b"title:x AND (y OR z*)"], 1, NO_RESULT),
    "empty": ([b""], 2, f"错误：{EMPTY_QUERY}\n"),
    "punctuation only": ([b"\xef\xbc\x8c\xe3\x80\x82 ?!"], 2, f"错误：{EMPTY_QUERY}\n"),
    "20,000 characters": ([("停水" + "啊" * 9_998).encode()], 0, ""),
    "many arguments": ([b"\xff"] * 500 + ["赔偿".encode()], 0, ""),
}


@pytest.mark.parametrize("case", list(ARGV))
def test_kb_search_subprocess_with_terminal_bytes(pristine_kb, case):
    argv, code, stderr = ARGV[case]
    env = dict(os.environ, KB_ROOT=str(pristine_kb))
    env.pop("KB_INDEX_DIR", None)
    proc = subprocess.run([os.fsencode(KB), b"search", *argv], capture_output=True, env=env, timeout=60)
    assert (proc.returncode, proc.stderr.decode("utf-8")) == (code, stderr)
    if code == 0:
        assert proc.stdout.decode("utf-8").startswith("1. 停水造成损失，物业要赔偿吗？  [维修与赔偿]\n")


def test_kb_show_and_category_echo_a_lone_surrogate_without_a_traceback(pristine_kb):
    env = dict(os.environ, KB_ROOT=str(pristine_kb))
    env.pop("KB_INDEX_DIR", None)
    show = subprocess.run([os.fsencode(KB), b"show", b"\xff"], capture_output=True, env=env, timeout=60)
    assert (show.returncode, show.stdout, show.stderr.decode("utf-8")) == (
        1, b"", "错误：找不到页面“\\udcff”。请给出 docs/ 下的路径，或先用 `kb search \\udcff` 查找。\n")
    category = subprocess.run([os.fsencode(KB), b"search", b"--category", b"\xff", "停水".encode()],
                              capture_output=True, env=env, timeout=60)
    assert (category.returncode, category.stderr.decode("utf-8")) == (
        1, "错误：没有名为“\\udcff”的分类。可用的分类：业主隐私（privacy）、维修与赔偿（repairs）。\n")


# -- page content and front matter -------------------------------------------------------------

SCALAR = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHAR.filter(lambda c: not "\ud800" <= c <= "\udfff"), max_size=20)
          | st.dates() | st.datetimes())
YAML_VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
KEYS = st.sampled_from(QUESTION_FIELDS + OPTIONAL_QUESTION_FIELDS + ("unknown", "", "title ")) | YAML_VALUE.filter(
    lambda v: isinstance(v, (str, int, bool, float, type(None), dt.date)))
VALID = {"title": "停水了怎么办？", "category": "维修与赔偿", "tags": ["停水"], "aliases": ["没水了"],
         "reviewed": dt.date(2026, 11, 1), "status": "published"}
MARKDOWN_BITS = ["# ", "## ", "\n", "\n\n", "```", "~~~", "<!--", "-->", "[链接](../privacy/neighbour-contact.md)",
                 "[坏链接](nowhere.md#x)", "`", "*", "_", "<div>", "</div>", "{: #id .cls }", "!!! note",
                 "    ", "| a | b |\n|---|---|", "> ", "- ", "1. ", "---", "\\", "&amp;", "&#0;", "[^1]", "***",
                 "停水", "物业", "\r\n", "\t", "\u3000", "\ufeff", "\x00"]
BODY = st.lists(st.sampled_from(MARKDOWN_BITS) | st.text(ANY_CHAR, max_size=10), max_size=40).map("".join)


def yaml_front(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


FRONT_MATTER = (
    st.dictionaries(KEYS, YAML_VALUE, max_size=8).map(yaml_front)
    | st.tuples(st.sampled_from(list(VALID) + ["source", "related", "order", "description", "extra"]),
                YAML_VALUE).map(lambda kv: yaml_front({**VALID, kv[0]: kv[1]}))
    | st.sampled_from(list(VALID)).map(lambda key: yaml_front({k: v for k, v in VALID.items() if k != key}))
    | st.text(ANY_CHAR, max_size=80)
    | st.lists(st.sampled_from([":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:os.system", "? ", "|",
                                ">", "'", '"', "#", "\n", "  ", "title", "tags", "2026-13-40", "%YAML 1.1"]),
               max_size=20).map("".join)
)
PAGE_TEXT = st.tuples(FRONT_MATTER, BODY, st.sampled_from(["---\n{}---\n{}", "---\r\n{}---\r\n{}", "{}{}", "---\n{}{}"])
                      ).map(lambda t: t[2].format(t[0], t[1]))
RELS = st.sampled_from(["repairs/fuzz.md", "fuzz.md", "repairs/index.md", "law/fuzz.md"])


def check_page_error(err: PageError, rel: str, text: str) -> None:
    assert err.path == rel
    assert isinstance(err.line, int) and 1 <= err.line <= text.count("\n") + 2, err.line
    assert str(err).startswith(f"{rel}:{err.line}: ")


@settings(max_examples=600, deadline=None)
@given(text=PAGE_TEXT, rel=RELS)
def test_loader_returns_a_page_or_a_page_error_with_path_and_line(text, rel):
    try:
        page = parse_page(text, rel)
    except PageError as err:
        check_page_error(err, rel, text)
    else:
        assert page.path == rel and isinstance(page.title, str) and page.title


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300) | PAGE_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_loader_reads_any_bytes(tmp_path_factory, raw):
    docs = tmp_path_factory.getbasetemp() / "fuzz-bytes"
    (docs / "repairs").mkdir(parents=True, exist_ok=True)
    (docs / "repairs" / "fuzz.md").write_bytes(raw)
    try:
        read_page(docs, "repairs/fuzz.md")
    except PageError as err:
        assert err.path == "repairs/fuzz.md"
        assert isinstance(err.line, int) and 1 <= err.line <= raw.count(b"\n") + 2


# A page the whole pipeline should accept, with any body: index build and site hooks see it all.
def question_page(body: str) -> str:
    return "---\n" + yaml_front({**VALID, "category": "维修与赔偿"}) + "---\n" + body


@pytest.fixture(scope="module")
def hook_site(pristine_kb, tmp_path_factory):
    """A copy of the tiny project and its MkDocs config, for running the site hooks in-process."""
    from mkdocs.config import load_config

    root = tmp_path_factory.mktemp("hooks") / "kb"
    shutil.copytree(pristine_kb, root)
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
    return root, config


def render_with_hooks(config, rel: str) -> str:
    """What `mkdocs build` does for one page: our hooks around Python-Markdown, with MkDocs' objects."""
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page as MkPage

    from kb_tools import mkdocs_hooks as hooks

    config = hooks.on_config(config)
    file = File(rel, config["docs_dir"], config["site_dir"], config["use_directory_urls"])
    files = Files([file])
    page = MkPage(None, file, config)
    page.read_source(config)
    page.markdown = hooks.on_page_markdown(page.markdown, page, config, files)
    page.render(config, files)
    hooks.on_page_content(page.content, page, config, files)
    return page.content


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=PAGE_TEXT | BODY.map(question_page))
def test_site_hooks_render_a_page_or_name_its_file_and_line(hook_site, text):
    from mkdocs.exceptions import PluginError

    root, config = hook_site
    (root / "docs" / "repairs" / "fuzz.md").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        render_with_hooks(config, "repairs/fuzz.md")
    except PluginError as err:
        assert re.search(r"(^|\n|：)(docs/)?repairs/fuzz\.md:\d+: ", str(err)), str(err)


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=PAGE_TEXT | BODY.map(question_page))
def test_index_build_indexes_a_page_or_names_its_file_and_line(pristine_kb, tmp_path_factory, text):
    root = tmp_path_factory.getbasetemp() / "fuzz-build"
    if not root.exists():
        shutil.copytree(pristine_kb, root)
    project = Project(root)
    (root / "docs" / "repairs" / "fuzz.md").write_bytes(text.encode("utf-8", "surrogatepass"))
    # Whoosh names segments from the global `random`, which hypothesis seeds alike for every
    # input: the next build would reuse the live segment's name. Real processes seed it randomly.
    random.seed()
    try:
        report = build(project)
    except PageError as err:
        assert err.path == "repairs/fuzz.md" and isinstance(err.line, int)
        return
    except KbError as err:
        pytest.fail(f"unexpected KbError: {err}")
    assert report.pages == 4
    with Searcher(project) as searcher:
        check_search(searcher, text[:200])
