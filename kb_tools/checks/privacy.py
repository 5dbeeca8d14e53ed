"""KB301–KB304: personal data must not be published. Every line is scanned, code and HTML comments
included (both reach the published HTML). Numbers are masked in messages: CI logs are public too."""

from __future__ import annotations

import datetime as dt
import re

from kb_tools.checks.rules import Finding
from kb_tools.checks.source import SourceFile

MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
LANDLINE = re.compile(r"(?<![\d\w])(?:0\d{2,3}-|\(0\d{2,3}\)\s?|（0\d{2,3}）)\d{7,8}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![\w-])")
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
EXAMPLE_TLDS = ("example", "test", "invalid", "localhost")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_EXAMPLE_HINT = "如果是编造的示例，在这一行末尾加上 `<!-- kb:allow 示例 -->`。"


# Provinces of the GB/T 2260 codes an ID number starts with (plus Taiwan, Hong Kong, Macao).
_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
              52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
_ID_WORDING = re.compile(r"身份证|身份号码|证件号|证件号码|公民身份")
ID_CONTEXT = 12  # characters before a number in which the wording counts as "next to" it


def looks_like_id(number: str) -> bool:
    """A valid region and birth date: with ID wording beside it, a mistyped check digit is still
    someone's ID number."""
    if int(number[:2]) not in _PROVINCES:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year < 2100


def is_id_number(text: str, match: re.Match) -> bool:
    number = match.group()
    if id_checksum_ok(number):
        return True
    return looks_like_id(number) and bool(_ID_WORDING.search(text, max(0, match.start() - ID_CONTEXT), match.start()))


def id_checksum_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def is_example_domain(domain: str) -> bool:
    domain = domain.lower()
    return (domain in EXAMPLE_DOMAINS or domain.endswith(tuple("." + d for d in EXAMPLE_DOMAINS))
            or domain.rsplit(".", 1)[-1] in EXAMPLE_TLDS)


def _mask_digits(text: str, keep_start: int, keep_end: int) -> str:
    digits = [i for i, c in enumerate(text) if c.isdigit() or c in "Xx"]
    hidden = set(digits[keep_start:len(digits) - keep_end])
    return "".join("*" if i in hidden else c for i, c in enumerate(text))


def check(source: SourceFile) -> list[Finding]:
    findings = []
    for line in source.lines:
        text, number = line.text, line.number
        for match in ID_NUMBER.finditer(text):
            if is_id_number(text, match):
                findings.append(Finding(source.display, number, "KB303",
                                        f"发现身份证号码“{_mask_digits(match.group(), 6, 4)}”。页面不能公开身份证号码，请删除。"
                                        + _EXAMPLE_HINT, match.start()))
        for match in MOBILE.finditer(text):
            findings.append(Finding(source.display, number, "KB301",
                                    f"发现手机号码“{_mask_digits(match.group(), 3, 4)}”。页面不能公开个人的手机号码，请删除。"
                                    + _EXAMPLE_HINT, match.start()))
        for match in LANDLINE.finditer(text):
            findings.append(Finding(source.display, number, "KB302",
                                    f"发现固定电话号码“{_mask_digits(match.group(), 4, 2)}”。页面不能公开个人的电话号码，请删除；"
                                    "单位对外公开的服务电话，在这一行末尾加上 `<!-- kb:allow KB302 公开电话 -->`。",
                                    match.start()))
        for match in EMAIL.finditer(text):
            if is_example_domain(match.group(1)):
                continue
            user = match.group()[: match.start(1) - match.start() - 1]
            findings.append(Finding(source.display, number, "KB304",
                                    f"发现电子邮箱地址“{user[:1]}***@{match.group(1)}”。页面不能公开个人的邮箱，请删除；"
                                    "示例请用 example.com 等示例域名，例如 someone@example.com。", match.start()))
    return findings
