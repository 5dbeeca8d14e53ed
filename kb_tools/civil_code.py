"""Article numbers of the 《中华人民共和国民法典》 and the list of articles the site cites.

The code has 1,260 articles, numbered in Chinese (第一条 … 第一千二百六十条). The list in
kb_tools/data/civil_code_articles.txt names every article a page may cite, each with its subject
in our own words; each entry was checked against the code's text before it was added. The
loader uses the parser to validate `sources` in front matter; `kb check` (KB402) uses the list."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kb_tools.errors import KbError
from kb_tools.text import DATA_DIR, data_lines

ARTICLES_FILE = DATA_DIR / "civil_code_articles.txt"
LAST_ARTICLE = 1260
TITLES = ("民法典", "中华人民共和国民法典")
DIGITS = "零一二三四五六七八九"
_UNITS = {"十": 10, "百": 100, "千": 1000}
_VALUES = {**{c: i for i, c in enumerate(DIGITS)}, "〇": 0, "两": 2}
NUMERAL = f"[{DIGITS}〇两十百千]+|[0-9０-９]+"
ARTICLE = re.compile(rf"第\s*({NUMERAL})\s*条")


def is_civil_code(title: str) -> bool:
    return title.strip().strip("《》") in TITLES


def parse_numeral(text: str) -> int | None:
    """The value of a Chinese numeral below ten thousand (二百七十八, 一千零三十二, 十五) or of
    ASCII digits; None when it is not a well-formed numeral (二二, 百, 一千千)."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if all("０" <= c <= "９" for c in text):
        return int("".join(chr(ord(c) - 0xFEE0) for c in text))
    total, digit, last_unit = 0, None, 10_000
    for char in text:
        if char in _VALUES:
            if digit not in (None, 0):
                return None  # two digits in a row: 二二
            digit = _VALUES[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            if unit >= last_unit or digit == 0:
                return None  # units must fall: 一百一千; no 零 before a unit
            if digit is None:
                if unit != 10:
                    return None  # 十 may stand alone (十五, 一百十一); 百 and 千 may not
                digit = 1
            total += digit * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0) or None


def chinese_numeral(number: int) -> str:
    """The code's own spelling: 十, 十五, 一百一十一, 一千零三十二, 一千二百六十."""
    if not 0 < number < 10_000:
        raise ValueError(number)
    parts, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit:
            if zero:
                parts.append("零")
            parts.append(DIGITS[digit] + name)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def label(number: int) -> str:
    return f"第{chinese_numeral(number)}条"


@lru_cache(maxsize=4)
def load_articles(path: Path = ARTICLES_FILE) -> dict[int, str]:
    """Article number -> subject, from the list of cited articles (one `第…条 主题` per line)."""
    where = f"kb_tools/data/{path.name}" if path.parent == DATA_DIR else str(path)
    articles: dict[int, str] = {}
    for number, text in data_lines(path, where):
        parts = text.split(None, 1)
        match = ARTICLE.fullmatch(parts[0])
        value = parse_numeral(match.group(1)) if match else None
        if value is None or len(parts) != 2:
            raise KbError("每行应是“条号 主题”，用空格分隔，例如“第九百四十四条 物业费的交纳与催交”。", path=where, line=number)
        if not 1 <= value <= LAST_ARTICLE:
            raise KbError(f"“{parts[0]}”不是《民法典》的条号（第一条到第一千二百六十条）。", path=where, line=number)
        if parts[0] != label(value):
            raise KbError(f"“{parts[0]}”请写作“{label(value)}”。", path=where, line=number)
        if value in articles:
            raise KbError(f"{parts[0]}重复出现。每一条只写一行。", path=where, line=number)
        articles[value] = parts[1].strip()
    return articles
