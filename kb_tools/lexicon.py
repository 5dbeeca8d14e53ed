"""General-Chinese tables that index builds read from jieba and pypinyin, cached on disk.

Typo tolerance and the answer/no-answer verdict need three things that do not depend on the
knowledge base's pages, only on the installed packages and a few settings:

- `function`: jieba's general-corpus idf table (analyse/idf.txt) below FUNCTION_IDF;
- `readings`: the toneless pinyin of the common characters (GB 2312 level 1) and of every
  character of a common word;
- `common`: jieba's common words (frequency at least HOMOPHONE_MIN_FREQ, 2–4 characters) with
  their frequency and their sound.

Reading them takes about a second, on every build (`kb search` rebuilds after an edit), for the
same answer each time. So the first build of a version writes them to the user's cache directory
(one file named after everything they depend on; written whole, then renamed into place) and
later builds read that file. An unreadable or unwritable cache is never an error: the tables are
then computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from kb_tools.ranking import FUNCTION_IDF, HOMOPHONE_MIN_FREQ
from kb_tools.text import PIPELINE_VERSION


def common_characters() -> set[str]:
    """The 3,755 characters of GB 2312 level 1: the characters a pinyin IME offers first."""
    return {bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)
            if not (hi == 0xD7 and lo > 0xF9)}


def reading(char: str) -> str:
    """The character's most common toneless pinyin, or "" when pypinyin has none."""
    from pypinyin import lazy_pinyin

    sound = lazy_pinyin(char, errors="ignore")
    return sound[0] if len(sound) == 1 and sound[0].isascii() and sound[0].isalpha() else ""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "wuye-kb"


def _key(frequencies_digest: str) -> str:
    parts = [PIPELINE_VERSION, FUNCTION_IDF, HOMOPHONE_MIN_FREQ, frequencies_digest]
    for package in ("jieba", "pypinyin"):
        try:
            parts.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            parts.append(None)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def tables(frequencies: dict[str, int]) -> dict:
    """{"function": [...], "readings": {char: sound}, "common": [[word, freq, sound], ...]}.

    `frequencies` is the index segmenter's (jieba's dictionary with the domain words added): the
    cache file is named after the words it contributes, so editing the domain words makes a new one."""
    common = sorted((w, f) for w, f in frequencies.items() if f >= HOMOPHONE_MIN_FREQ and 1 < len(w) <= 4)
    digest = hashlib.sha256(json.dumps(common, ensure_ascii=False).encode()).hexdigest()
    return _tables(_key(digest), tuple(common))


@lru_cache(maxsize=2)
def _tables(key: str, common: tuple) -> dict:
    path = cache_dir() / f"lexicon-{key}.json"
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if isinstance(data, dict) and {"function", "readings", "common"} <= data.keys():
            return data
    except (OSError, ValueError):
        pass
    data = _compute(common)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lexicon-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        pass
    return data


def _compute(common) -> dict:
    import jieba

    function = []
    with open(Path(jieba.__file__).parent / "analyse" / "idf.txt", encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.rstrip("\n").partition(" ")
            if value and float(value) < FUNCTION_IDF:
                function.append(word)
    chars = common_characters() | {c for w, _ in common for c in w}
    readings = {c: reading(c) for c in sorted(chars)}
    words = []
    for word, freq in common:
        sounds = [readings[c] for c in word]
        if all(sounds):
            words.append([word, freq, " ".join(sounds)])
    return {"function": sorted(set(function)), "readings": readings, "common": words}
