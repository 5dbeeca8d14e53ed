"""The one Chinese text pipeline, shared by the index, the CLI and the site's search.

    raw text -> normalize() -> segmentation -> lower-case terms -> stop words removed
                                                 -> (queries) synonym groups

* normalize(): drop control characters, Unicode NFKC (full-width forms, Kangxi radicals),
  traditional -> simplified with OpenCC's own data, lower-case. No stemming.
* Index time segments with jieba in search mode, with the project's domain dictionary.
* Query time segments with kb_tools.segment over a compact dictionary that the index build
  writes from the index's own vocabulary (jieba's frequencies), so query terms are index terms
  (kb_tools.query writes and reads that dictionary).

The resources editors change by pull request live in kb_tools/data/. PIPELINE_VERSION is bumped
whenever the same input would give different terms; the index stores it with a fingerprint of
the data files and is rebuilt when either changes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb_tools.errors import KbError, os_reason

PIPELINE_VERSION = 6
DATA_DIR = Path(__file__).parent / "data"
RESOURCE_FILES = ("userdict.txt", "synonyms.txt", "stopwords.txt")

# Patterns are kept as source text: the site's search worker receives them in its data file.
# Control characters, lone surrogates (from a misconfigured terminal) and non-characters.
UNSAFE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
_UNSAFE = re.compile(UNSAFE)
# A term must hold a letter, a digit or a CJK ideograph; punctuation-only tokens are dropped.
WORDLIKE = r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_WORDLIKE = re.compile(WORDLIKE)


@dataclass(frozen=True)
class Resources:
    userdict: tuple[tuple[str, int | None], ...]
    synonyms: tuple[tuple[str, ...], ...]
    stopwords: frozenset[str]
    fingerprint: str

    @property
    def domain_words(self) -> dict[str, int | None]:
        """Words the segmenter must keep whole: the user dictionary and every synonym."""
        words: dict[str, int | None] = {}
        for group in self.synonyms:
            for word in group:
                if len(word) > 1:
                    words.setdefault(word, None)
        words.update(self.userdict)
        return words


def data_lines(path: Path, shown: str | None = None):
    """(line number, text) of a data file editors maintain: blank lines and `#` comments skipped.
    Unreadable or non-UTF-8 files raise KbError naming the file (as `shown`, when given)."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise KbError(f"无法读取数据文件：{os_reason(err, reading=True)}。", path=shown) from None
    except UnicodeDecodeError:
        raise KbError("文件不是 UTF-8 编码，请用 UTF-8 重新保存。", path=shown) from None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            yield number, line


def load_resources(data_dir: Path = DATA_DIR) -> Resources:
    data_dir = Path(data_dir)
    userdict: list[tuple[str, int | None]] = []
    for number, line in data_lines(data_dir / "userdict.txt"):
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
            raise KbError("每行应是“词”或“词 词频”，词频必须是正整数。", path=str(data_dir / "userdict.txt"), line=number)
        word = normalize(parts[0])
        userdict.append((word, int(parts[1]) if len(parts) == 2 else None))
    synonyms = []
    for number, line in data_lines(data_dir / "synonyms.txt"):
        group = tuple(dict.fromkeys(normalize(w) for w in re.split(r"[\s,，、]+", line) if w))
        if len(group) < 2:
            raise KbError("同义词每行至少要有两个词，用空格分隔。", path=str(data_dir / "synonyms.txt"), line=number)
        synonyms.append(group)
    stopwords = frozenset(normalize(line) for _, line in data_lines(data_dir / "stopwords.txt"))
    digest = hashlib.sha256(f"pipeline={PIPELINE_VERSION}".encode())
    for name in RESOURCE_FILES:
        digest.update((data_dir / name).read_bytes())
    return Resources(tuple(userdict), tuple(synonyms), stopwords, digest.hexdigest()[:16])


@lru_cache(maxsize=1)
def opencc_t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified with OpenCC (phrase-aware)."""
    if text.isascii():
        return text
    return opencc_t2s().convert(text)


def clean(text: str) -> str:
    """Replace characters no one means to search for (controls, lone surrogates) with spaces."""
    return _UNSAFE.sub(" ", text)


def normalize(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", clean(text))).lower()


def is_term(token: str, stopwords: frozenset[str]) -> bool:
    return bool(_WORDLIKE.search(token)) and token not in stopwords


class IndexSegmenter:
    """jieba (full dictionary + domain words) in search mode. Index time only: ~0.7 s to load.

    Without HMM: the index then holds only dictionary words, exactly the kind of word the
    query-time segmenter (which has no HMM either) can produce, and indexing is ~40% faster."""

    def __init__(self, resources: Resources):
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self.resources = resources
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        for word, freq in resources.domain_words.items():
            self.tokenizer.add_word(word, freq)

    @property
    def frequencies(self) -> dict[str, int]:
        return self.tokenizer.FREQ

    @property
    def total(self) -> int:
        return self.tokenizer.total

    def tokens(self, text: str):
        """(term, start, end) over already-normalized text."""
        stop = self.resources.stopwords
        for word, start, end in self.tokenizer.tokenize(text, mode="search", HMM=False):
            if is_term(word, stop):
                yield word, start, end
