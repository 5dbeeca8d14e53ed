"""The two query sides agree: Python (kb_tools.query) and the site's search worker, run in
Node.js, give the same normalized text, terms, synonym groups, fallback plan and the verdict's
evidence (the question's informative words, their weights and a page's coverage) for generated
Chinese, traditional, mixed and junk queries, over the real knowledge base's query dictionary."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kb_tools.query import QueryDictionary, coverage, fallback_plan, plan_query
from kb_tools.site_search import worker_settings
from kb_tools.store import current_generation

from conftest import ROOT

WORKER = ROOT / "overrides/assets/javascripts/kb-search-worker.js"
BATCH = 50  # queries per round trip to Node.js
BATCHES = 80  # hypothesis examples: 4,000 queries in all


class Worker:
    """The worker's query side in a Node.js process, fed the same dictionary as Python."""

    def __init__(self, data: dict):
        node = shutil.which("node") or shutil.which("nodejs")
        if node is None:
            pytest.fail("Node.js is needed to run the search worker outside the browser: "
                        "`bash .ci/setup --browser` installs Debian's nodejs.")
        self.proc = subprocess.Popen([node, str(ROOT / "tests/worker_node.js"), str(WORKER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self._send(data)
        assert self.proc.stdout.readline() == "ready\n"

    def _send(self, value) -> None:
        # ensure_ascii: lone surrogates travel as \ud800 escapes, which JSON.parse keeps as they are.
        self.proc.stdin.write(json.dumps(value, ensure_ascii=True) + "\n")
        self.proc.stdin.flush()

    def analyse(self, queries: list[str]) -> list[dict]:
        self._send(queries)
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def dictionary(real_index) -> dict:
    """The real index's query dictionary in the site's data format (words as [word, freq, df])."""
    generation = current_generation(real_index.index_dir)
    data = json.loads((generation / "querydict.json").read_text(encoding="utf-8"))
    return {**data, "words": [[word, *entry] for word, entry in data["words"].items()]}


@pytest.fixture(scope="module")
def qd(dictionary) -> QueryDictionary:
    return QueryDictionary(dictionary)


@pytest.fixture(scope="module")
def queries(dictionary):
    return query_strategies(dictionary)


@pytest.fixture(scope="module")
def worker(dictionary):
    worker = Worker({"version": 0, **worker_settings(), "dictionary": dictionary, "docs": []})
    yield worker
    worker.close()


def as_lists(plan) -> dict:
    return {"text": plan.text, "terms": plan.terms, "groups": [[list(alt) for alt in group] for group in plan.groups],
            "units": [{"word": u.word, "weight": round(u.weight, 9), "covers": list(u.covers), "parts": list(u.parts)}
                      for u in plan.units]}


def rounded(side: dict) -> dict:
    """The worker's plan with weights to 9 places: Math.log and math.log may differ in the last bit."""
    return {**side, "units": [{**u, "weight": round(u["weight"], 9)} for u in side["units"]]}


def misheard(dictionary: dict) -> list[str]:
    """Index words with one character swapped for another of the same sound (物业 → 误业), as a
    pinyin IME types them: what correct_homophones repairs."""
    sound = {c: s for s, chars in dictionary["pinyin"].items() for c in chars}
    out = []
    for word, _, df in dictionary["words"]:
        if df and 1 < len(word) <= 4 and all(c in sound for c in word):
            for i, c in enumerate(word):
                alike = dictionary["pinyin"][sound[c]].replace(c, "")
                if alike:
                    out.append(word[:i] + alike[len(word) % len(alike)] + word[i + 1:])
    return out or ["误业"]


def query_strategies(dictionary: dict):
    """Chinese made of the index's words and stray ideographs; traditional script; Chinese mixed
    with Latin letters, digits, full-width forms and punctuation; and junk (any code point,
    lone surrogates and controls included)."""
    import opencc

    words = [w[0] for w in dictionary["words"]]
    synonyms = [w for group in dictionary["synonyms"] for w in group]
    to_traditional = opencc.OpenCC("s2t")
    traditional_words = to_traditional.convert("\n".join(words)).split("\n")
    traditional = list(dictionary["t2s"][0]) + list(dictionary.get("t2s_phrases", {}))
    ideograph = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
    punctuation = st.sampled_from(list("，。？！、；：“”（）《》 \u3000 ,.?!;:()-+#&_%/"))

    def joined(*parts, max_size=12):
        return st.lists(st.one_of(*parts), max_size=max_size).map("".join)

    chinese = joined(st.sampled_from(words), st.sampled_from(words), st.sampled_from(synonyms),
                     st.sampled_from(dictionary["stopwords"]), st.sampled_from(misheard(dictionary)),
                     ideograph, punctuation)
    traditional_text = joined(st.sampled_from(traditional_words), st.sampled_from(traditional),
                              st.sampled_from(words), punctuation)
    latin = st.text(alphabet="abcxyzABCXYZ0123456789ＡＢＣａｂｃ０１２３", min_size=1, max_size=6)
    mixed = joined(st.sampled_from(words), latin, punctuation, ideograph,
                   st.sampled_from(["WiFi", "App", "ＡＰＰ", "24小时", "3号楼", "110", "C++", "e-mail"]))
    # Not code points unassigned in Python's Unicode database (category Cn): Node's ICU may know
    # them from a newer Unicode and normalize them (U+1CCDA → "e"), which Python cannot.
    assigned = st.characters(exclude_categories=["Cn"])
    junk = st.text(assigned | st.characters(categories=["Cs", "Cc", "Cf", "Co", "Mn"]), max_size=40)
    return st.one_of(chinese, traditional_text, mixed, junk)


# No shrinking: a batch of 50 shrinks slowly, and the first differing query is shown as it is.
@settings(max_examples=BATCHES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_python_and_worker_plan_generated_queries_alike(data, queries, qd, worker):
    batch = data.draw(st.lists(queries, min_size=BATCH, max_size=BATCH), label="queries")
    expected = []
    for query in batch:
        plan = plan_query(query, qd)
        expected.append({"plan": as_lists(plan), "fallback": as_lists(fallback_plan(plan.text, qd)),
                         "coverage": round(coverage(plan.units, set(plan.terms[::2])), 9)})
    got = [{**{side: rounded({key: answer[side][key] for key in ("text", "terms", "groups", "units")})
               for side in ("plan", "fallback")}, "coverage": round(answer["coverage"], 9)}
           for answer in worker.analyse(batch)]
    mismatches = [(query, e, g) for query, e, g in zip(batch, expected, got) if e != g]
    if mismatches:
        query, e, g = mismatches[0]
        pytest.fail(f"{len(mismatches)} of {len(batch)} queries analysed differently; the first: {query!r}\n"
                    f"  Python: {e}\n  worker: {g}")
