"""`kb check --fix`: apply the typography rules' own repairs, and only where they touch prose.

The rules already skip code, URLs, link targets, tags and abbreviation lines (checks.source); a
second, independent guard compares what the page renders to before and after: the text of every
`<code>`/`<pre>`, every attribute value (link targets, image sources, abbreviation titles, ids)
and every bare URL must stay byte-identical. A line whose repairs would change any of it is left
as it is (and still reported)."""

from __future__ import annotations

import os
from html.parser import HTMLParser

from kb_tools import gate
from kb_tools.checks.rules import RULES, Edit, Finding
from kb_tools.checks.source import bare_urls
from kb_tools.errors import KbError, PageError, os_reason
from kb_tools.pages import parse_page, split_front_matter
from kb_tools.project import Project


def apply_fixes(project: Project, findings: list[Finding], render) -> dict[str, int]:
    """Write the repairs of fixable findings; `render(markdown) -> html` renders like the site.
    Returns path -> repairs made."""
    by_path: dict[str, list[Edit]] = {}
    for finding in findings:
        if RULES[finding.code].fixable and finding.edits:
            by_path.setdefault(finding.path, []).extend(finding.edits)
    changed = {}
    for path, edits in sorted(by_path.items()):
        file = project.root / path
        if file.is_symlink():
            continue  # reported as KB110; never written through
        raw = file.read_bytes().decode("utf-8")  # read_text() would turn CRLF into LF
        bom = "\ufeff" if raw.startswith("\ufeff") else ""
        text = raw[len(bom):]
        new_text, count = guarded(text, edits, render)
        if count == 0 or new_text == text:
            continue
        rel = os.path.relpath(file, project.docs_dir).replace(os.sep, "/")
        try:
            parse_page(new_text, rel)  # a repair must never break the front matter
        except PageError:
            continue
        tmp = file.with_name(file.name + ".kb-fix.tmp")
        try:
            tmp.write_bytes((bom + new_text).encode("utf-8"))
            os.replace(tmp, file)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise KbError(f"无法写入文件：{os_reason(err)}。请检查文件权限后再运行 `kb check --fix`。", path=path) from None
        changed[path] = count
    return changed


def guarded(text: str, edits: list[Edit], render) -> tuple[str, int]:
    """All the edits, or those of the lines whose repairs leave everything but prose as it was."""
    before = fingerprint(text, render)
    new_text, count = apply_edits(text, edits)
    if fingerprint(new_text, render) == before:
        return new_text, count
    kept = []
    for line in sorted({e.line for e in edits}):
        mine = [e for e in edits if e.line == line]
        if fingerprint(apply_edits(text, kept + mine)[0], render) == before:
            kept += mine
    return apply_edits(text, kept)


class _NotProse(HTMLParser):
    """Attribute values and the text inside code, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self._code = 0

    def handle_starttag(self, tag, attrs):
        self.items += [f"{tag}[{name}]={value}" for name, value in attrs if value]
        self._code += tag in ("code", "pre")

    def handle_endtag(self, tag):
        if tag in ("code", "pre") and self._code:
            self._code -= 1

    def handle_data(self, data):
        if self._code:
            self.items.append(data)


def fingerprint(text: str, render) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What --fix must never change in a page: code, attribute values and bare URLs."""
    _, body, _ = split_front_matter(text)
    reader = _NotProse()
    reader.feed(gate.as_parsed(render(body)))  # html5ever's serialisation: one reading, no ambiguity
    reader.close()
    return tuple(reader.items), tuple(bare_urls(body))


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, int]:
    """Apply non-overlapping edits (the first of two overlapping ones wins), keeping line endings."""
    lines = text.splitlines(keepends=True)
    by_line: dict[int, list[Edit]] = {}
    for edit in sorted(set(edits), key=lambda e: (e.line, e.start, e.end)):
        taken = by_line.setdefault(edit.line, [])
        if taken and edit.start < taken[-1].end:
            continue
        taken.append(edit)
    count = 0
    for number, line_edits in by_line.items():
        if not 1 <= number <= len(lines):
            continue
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        for edit in reversed(line_edits):
            body = body[:edit.start] + edit.new + body[edit.end:]
            count += 1
        lines[number - 1] = body + ending
    return "".join(lines), count
