"""Published URLs never silently disappear.

Two files in the project, both edited by people and read by `kb check` and the site build:

* kb_tools/data/published_urls.txt: every URL the site has published, one per line, relative to
  the site root (`/compensation/water-outage/`). The publish workflow adds the new ones after each
  deployment (`kb urls --update`); lines are never removed.
* kb_tools/data/redirects.yml: `old.md: new.md` for pages that were removed or renamed. The site
  build writes a small HTML page at the old URL that sends readers on (meta refresh, no script).

A URL in the manifest must have a page or a redirect (KB601).
"""

from __future__ import annotations

import difflib
import html
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools.errors import KbError, os_reason
from kb_tools.pages import page_paths
from kb_tools.project import Project, page_url
from kb_tools.text import data_lines

REDIRECTS_FILE = "kb_tools/data/redirects.yml"
URLS_FILE = "kb_tools/data/published_urls.txt"
MAX_CHAIN = 10
URLS_HEADER = """\
# 已发布的网址：网站发布过的每个页面网址，一行一个（相对网站根目录）。
# 由发布流程在每次发布后自动追加（`kb urls --update`），请不要手工删除其中的行：
# 页面删除或改名时，请在 kb_tools/data/redirects.yml 中加一条重定向，`kb check` 会检查（规则 KB601）。
"""


def url_path(rel: str) -> str:
    """Site-relative URL of a page: `compensation/water-outage.md` -> `/compensation/water-outage/`."""
    return "/" + page_url("", rel)


def rel_for_url(url: str) -> str:
    """The page path that a directory URL most likely came from (for messages)."""
    stem = url.strip("/")
    return f"{stem}.md" if stem else "index.md"


# -- the redirects map ------------------------------------------------------------------------

@dataclass(frozen=True)
class Redirect:
    old: str  # docs-relative .md path of the page that is gone
    new: str  # docs-relative .md path of the page that replaces it (after following chains)
    fragment: str  # "#anchor" or ""
    line: int


@dataclass
class Redirects:
    entries: list[Redirect] = field(default_factory=list)
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (rule, line, message)

    def by_url(self) -> dict[str, Redirect]:
        return {url_path(r.old): r for r in self.entries}


def _clean(value, line: int, what: str) -> tuple[str | None, str, str | None]:
    """(path, fragment, problem)."""
    if not isinstance(value, str) or not value.strip():
        return None, "", f"{what}必须是 docs/ 下的 .md 路径，例如 `compensation/water-outage.md`。"
    path, _, fragment = value.strip().partition("#")
    norm = posixpath.normpath(path)
    if path.startswith("/") or norm.startswith("..") or not norm.endswith(".md"):
        return None, "", f"{what}“{value}”必须是 docs/ 下的 .md 路径（不以 / 开头），例如 `compensation/water-outage.md`。"
    return norm, f"#{fragment}" if fragment else "", None


def load_redirects(root: Path, docs_dir: Path) -> Redirects:
    import yaml

    path = root / REDIRECTS_FILE
    result = Redirects()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return result
    except OSError as err:
        raise KbError(f"无法读取重定向表：{os_reason(err, reading=True)}。", path=REDIRECTS_FILE) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        result.problems.append(("KB602", mark.line + 1 if mark else 1,
                                "重定向表不是有效的 YAML。每行写 `旧页面路径: 新页面路径`，例如 "
                                "`compensation/old-name.md: compensation/new-name.md`。"))
        return result
    if node is None:
        return result
    if not isinstance(node, yaml.MappingNode):
        result.problems.append(("KB602", node.start_mark.line + 1,
                                "重定向表的每一行应是 `旧页面路径: 新页面路径`。"))
        return result
    raw: dict[str, tuple[str, str, int]] = {}
    for key, value in node.value:
        line = key.start_mark.line + 1
        old_value = key.value if isinstance(key, yaml.ScalarNode) else None
        new_value = value.value if isinstance(value, yaml.ScalarNode) else None
        old, _, problem = _clean(old_value, line, "旧页面路径")
        if problem is None:
            new, fragment, problem = _clean(new_value, line, "新页面路径")
        if problem:
            result.problems.append(("KB602", line, problem))
            continue
        if old in raw:
            result.problems.append(("KB602", line, f"“{old}”出现了两次。每个旧页面只能有一条重定向。"))
            continue
        raw[old] = (new, fragment, line)
    pages = set(page_paths(docs_dir)) if docs_dir.is_dir() else set()
    for old, (new, fragment, line) in raw.items():
        if old in pages:
            result.problems.append(("KB603", line,
                                    f"“{old}”仍是现有的页面，不能同时重定向到别处。请删除这条重定向，或删除（改名）这个页面。"))
            continue
        seen = [old]
        while new not in pages and new in raw and new not in seen and len(seen) < MAX_CHAIN:
            seen.append(new)
            new, fragment, _ = raw[new]
        if new in seen:
            result.problems.append(("KB602", line, f"重定向形成了循环：{' → '.join(seen + [new])}。"))
        elif new not in pages:
            close = difflib.get_close_matches(new, sorted(pages), n=1, cutoff=0.6)
            hint = f"是不是 `{close[0]}`？" if close else "请改为现有页面的路径。"
            result.problems.append(("KB602", line, f"重定向的目标“{new}”不是现有的页面。{hint}"))
        else:
            result.entries.append(Redirect(old, new, fragment, line))
    return result


# -- the manifest of published URLs -----------------------------------------------------------

def read_manifest(root: Path) -> list[tuple[str, int]]:
    path = root / URLS_FILE
    if not path.exists():
        return []
    entries = []
    for number, text in data_lines(path, URLS_FILE):
        if not text.startswith("/"):
            raise KbError(f"“{text}”不是以 / 开头的网址路径，例如 `/compensation/water-outage/`。",
                          path=URLS_FILE, line=number)
        entries.append((text, number))
    return entries


def current_urls(docs_dir: Path) -> dict[str, str]:
    """URL -> page path, for every page under docs/."""
    return {url_path(rel): rel for rel in page_paths(docs_dir)}


def uncovered(project: Project) -> list[tuple[str, int, str]]:
    """(url, manifest line, message) for each published URL with neither a page nor a redirect."""
    pages = current_urls(project.docs_dir)
    redirects = load_redirects(project.root, project.docs_dir).by_url()
    manifest = read_manifest(project.root)
    published = {url for url, _ in manifest}
    unpublished = sorted(rel for url, rel in pages.items() if url not in published)  # a renamed page is one of these
    missing = []
    for url, line in manifest:
        if url in pages or url in redirects:
            continue
        old = rel_for_url(url)
        close = difflib.get_close_matches(old, unpublished, n=1, cutoff=0.3)
        folder_index = posixpath.join(posixpath.dirname(old), "index.md")
        target = close[0] if close else folder_index if folder_index in pages.values() else "index.md"
        example = f"`{old}: {target}`"
        missing.append((url, line,
                        f"已发布的网址 {url} 现在没有页面，也没有重定向。页面删除或改名后，请在 {REDIRECTS_FILE} "
                        f"中加一行，让旧网址跳转到新页面，例如 {example}。"))
    return missing


def update_manifest(project: Project) -> list[str]:
    """Append the URLs of the current pages that the manifest lacks; returns them."""
    path = project.root / URLS_FILE
    known = {url for url, _ in read_manifest(project.root)}
    added = sorted(url for url in current_urls(project.docs_dir) if url not in known)
    if not added:
        return []
    text = path.read_text(encoding="utf-8") if path.is_file() else URLS_HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text + "".join(url + "\n" for url in added), encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise KbError(f"无法写入已发布网址清单：{os_reason(err)}。请检查文件权限。", path=URLS_FILE) from None
    return added


# -- redirect pages in the built site ---------------------------------------------------------

PAGE = """\
<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>页面已移动：{title}</title>
<link rel="canonical" href="{canonical}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={href}">
</head>
<body>
<p>本页已移动到<a href="{href}">{title}</a>。</p>
</body>
</html>
"""


def relative_href(from_url: str, to_url: str) -> str:
    """Link from one site URL (`a/b/`) to another, relative, so the site works under any prefix."""
    if from_url.endswith("/") or not from_url:
        base = from_url
    else:
        base = posixpath.dirname(from_url) + "/" if "/" in from_url else ""
    rel = posixpath.relpath(to_url or ".", base or ".")
    if to_url.endswith("/") or not to_url:
        rel = "./" if rel == "." else rel + "/"
    return rel


def write_redirect_pages(config, titles: dict[str, str]) -> list[Path]:
    """Called from the MkDocs hook after the build. `titles`: page path -> title."""
    from mkdocs.structure.files import File

    root = Path(config["config_file_path"]).parent
    docs_dir, site_dir = Path(config["docs_dir"]), Path(config["site_dir"])
    redirects = load_redirects(root, docs_dir)
    if redirects.problems:
        rule, line, message = redirects.problems[0]
        raise KbError(f"{rule}: {message}", path=REDIRECTS_FILE, line=line)
    site_url = config.get("site_url") or ""
    written = []
    for redirect in redirects.entries:
        old = File(redirect.old, str(docs_dir), str(site_dir), config["use_directory_urls"])
        new = File(redirect.new, str(docs_dir), str(site_dir), config["use_directory_urls"])
        target = site_dir / old.dest_uri
        if target.exists():
            raise KbError(f"KB603: 网址 /{old.url} 已有页面，不能再写重定向。", path=REDIRECTS_FILE, line=redirect.line)
        href = relative_href(old.url, new.url) + redirect.fragment
        canonical = (site_url.rstrip("/") + "/" + new.url) if site_url else href
        title = titles.get(redirect.new, redirect.new)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(PAGE.format(title=html.escape(title), href=html.escape(href),
                                      canonical=html.escape(canonical)), encoding="utf-8")
        written.append(target)
    return written
