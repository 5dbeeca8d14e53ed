"""The one gate on what readers receive: an allow-list HTML5 sanitiser (nh3, i.e. Ammonia on
html5ever, which parses as browsers do) over the HTML each page renders to.

A page is judged by what the sanitiser would take away. The same HTML is serialised twice by
html5ever: once keeping every element and attribute it knows ("as parsed"), once through the
allow-list below ("as allowed"). Where the two differ, the page holds something readers must not
receive, and `drops()` names each element, attribute or class that went, with the rule it breaks.
The build publishes only the allowed serialisation, and fails when anything was dropped; `kb
check` reports the same findings with file and line (kb_tools.checks.unsafe).

The allow-list is exactly what Python-Markdown and the extensions in mkdocs.yml produce for our
pages, plus plain images from the site itself. Everything else — scripts, frames, forms, styles,
SVG and MathML, media, `data-*` and `style` attributes, theme classes that load code from a CDN,
ids that could shadow the theme's own — is refused, not repaired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "label", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"type", "checked", "disabled"},
    "details": {"open"},
    "ol": {"start", "reversed"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
}
# Classes Python-Markdown, the admonition/details/tasklist/toc extensions and our pages use. A class
# is behaviour in Material (`mermaid` makes it fetch a script from a public CDN), so it is listed.
ADMONITION_TYPES = ("note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important",
                    "success", "check", "done", "question", "help", "faq", "warning", "caution",
                    "attention", "failure", "fail", "missing", "danger", "error", "bug", "example",
                    "quote", "cite")
CLASSES = frozenset({
    "admonition", "admonition-title", "inline", "end", "headerlink", "task-list", "task-list-item",
    "task-list-control", "task-list-indicator", "grid", "cards", "md-button", "md-button--primary",
    "highlight", "highlighttable", "linenos", "linenodiv", "filename", "toclink", *ADMONITION_TYPES,
})
_CODE_LANGUAGE = re.compile(r"language-(?!mermaid\b)[a-z0-9+#-]{1,20}")
_PYGMENTS_TOKEN = re.compile(r"[a-z][a-z0-9]{0,2}")  # highlighted code: <span class="nb">, "s2", "err"
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_NUMBER = re.compile(r"\d{1,4}")
_THEME_ID = re.compile(r"__")  # Material's own ids (__config, __drawer, __search …); "_1" is a toc slug

# Everything html5ever knows, for the "as parsed" serialisation; unknown (custom) elements are
# dropped by both sides alike: they do nothing without a script that defines them.
_KNOWN_TAGS = TAGS | {
    "address", "applet", "area", "article", "aside", "audio", "base", "basefont", "bdi", "bdo",
    "bgsound", "big", "blink", "body", "button", "canvas", "caption", "center", "cite", "col",
    "colgroup", "data", "datalist", "dfn", "dialog", "dir", "embed", "fieldset", "figcaption",
    "figure", "font", "footer", "form", "frame", "frameset", "head", "header", "hgroup", "html",
    "iframe", "image", "isindex", "keygen", "legend", "link", "listing", "main", "map", "marquee",
    "math", "menu", "meta", "meter", "nav", "nobr", "noembed", "noframes", "noscript", "object",
    "optgroup", "option", "output", "param", "picture", "plaintext", "portal", "progress", "q", "rb",
    "rp", "rt", "rtc", "ruby", "samp", "script", "search", "section", "select", "slot", "source",
    "strike", "style", "svg", "template", "textarea", "time", "title", "track", "tt", "var", "video",
    "wbr", "xmp",
    # SVG and MathML elements that can carry links, animations or foreign content
    "a", "animate", "animatemotion", "animatetransform", "set", "use", "foreignobject", "feimage",
    "mi", "mo", "mn", "ms", "mtext", "annotation-xml", "maction",
}
_EVERY_SCHEME = LINK_SCHEMES | {"javascript", "vbscript", "data", "file", "ftp", "blob", "about",
                                "filesystem", "ws", "wss", "sms", "intent", "jar", "view-source"}
# Removed with their content: what is inside them is code or raw text, not something to show.
_CLEAN_CONTENT = frozenset({"script", "style", "template", "noscript", "xmp", "noembed", "noframes",
                            "textarea", "title", "iframe", "object", "plaintext", "svg", "math"})

EMBEDDING_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet",
                            "base", "meta", "link", "form", "portal"})
LOADING_TAGS = frozenset({"audio", "video", "source", "track", "picture", "image", "feimage", "style"})
URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "formaction", "data", "poster",
                            "background", "srcset", "values", "to", "from", "by", "codebase", "cite",
                            "ping", "lowsrc", "dynsrc"})
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data):", re.I)
_OUTSIDE_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|[/\\]{2})", re.I)
_CSS_LOAD = re.compile(r"url\s*\(|@import|image-set\s*\(", re.I)


_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def url_of(value: str) -> str:
    """A URL as browsers read it: tabs and newlines anywhere, and control characters and spaces at
    either end, are ignored."""
    return re.sub(r"[\t\n\r]", "", value).strip(_C0_AND_SPACE)


def is_outside(url: str) -> bool:
    """Whether fetching this URL would leave the site (an absolute or protocol-relative URL)."""
    return bool(_OUTSIDE_URL.match(url_of(url)))


def _allowed_value(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute_filter: keep, trim or drop each attribute the allow-list admits."""
    if attribute == "class":
        kept = [c for c in value.split() if c in CLASSES
                or (tag in ("code", "pre", "div") and _CODE_LANGUAGE.fullmatch(c))
                or (tag == "span" and _PYGMENTS_TOKEN.fullmatch(c))]
        return " ".join(kept) if kept else None
    if attribute == "id":
        return None if _THEME_ID.match(value) else value
    if attribute == "src":
        return None if is_outside(value) else value
    if attribute in ("width", "height", "start", "colspan", "rowspan"):
        return value if _NUMBER.fullmatch(value) else None
    if tag == "input" and attribute == "type":
        return value if value == "checkbox" else None
    if attribute == "loading":
        return value if value in ("lazy", "eager") else None
    if attribute == "align":
        return value if value in ("left", "center", "right") else None
    return value


def allowed(html: str) -> str:
    """The HTML with everything outside the allow-list taken away: what readers receive."""
    return nh3.clean(html, tags=set(TAGS), clean_content_tags=set(_CLEAN_CONTENT),
                     attributes={k: set(v) for k, v in ATTRIBUTES.items()}, attribute_filter=_allowed_value,
                     url_schemes=set(LINK_SCHEMES), link_rel=None, strip_comments=True)


def as_parsed(html: str) -> str:
    """The same HTML serialised by the same parser with nothing taken away, to compare with."""
    return nh3.clean(html, tags=set(_KNOWN_TAGS), clean_content_tags=set(), generic_attribute_prefixes={""},
                     url_schemes=set(_EVERY_SCHEME), link_rel=None, strip_comments=True)


@dataclass(frozen=True)
class Drop:
    """One thing the allow-list took away: the rule it breaks, what it was, and text to find it by
    in the Markdown source."""

    code: str
    what: str
    needle: str


class _StartTags(HTMLParser):
    """Start tags of html5ever's own serialisation (unambiguous, so a simple reader is enough here;
    the security decision is the comparison above, not this list)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [(k, v or "") for k, v in attrs]))

    handle_startendtag = handle_starttag


def _start_tags(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    reader = _StartTags()
    reader.feed(html)
    reader.close()
    return reader.tags


def check(html: str) -> tuple[str, list[Drop]]:
    """(what readers receive, what was taken away). An empty list means the page passes whole."""
    kept, parsed = allowed(html), as_parsed(html)
    if kept == parsed:
        return kept, []
    drops = _explain(_start_tags(parsed), _start_tags(kept))
    if not drops:  # text inside a removed element, or a difference of serialisation
        drops = [Drop("KB315", "网站不允许的网页代码", "<")]
    return kept, drops


def _explain(parsed, kept) -> list[Drop]:
    drops: list[Drop] = []
    j = 0
    for tag, attrs in parsed:
        if j < len(kept) and kept[j][0] == tag:
            have = dict(kept[j][1])
            j += 1
            for name, value in attrs:
                if name not in have:
                    drops.append(_attribute_drop(tag, name, value))
                elif name == "class" and have[name] != value:
                    gone = [c for c in value.split() if c not in have[name].split()]
                    drops.append(_class_drop(tag, gone))
        else:
            drops.append(_tag_drop(tag, attrs))
    return list(dict.fromkeys(drops))


def _tag_drop(tag: str, attrs) -> Drop:
    if tag in EMBEDDING_TAGS:
        return Drop("KB311", f"标签 `<{tag}>`", f"<{tag}")
    for name, value in attrs:
        if name.startswith("on"):
            return Drop("KB312", f"事件属性 `{name}=`（在 `<{tag}>` 上）", name)
        if name in URL_ATTRIBUTES and _SCRIPT_URL.match(url_of(value)):
            return Drop("KB313", f"`{url_of(value).split(':')[0].lower()}:` 链接（在 `<{tag}>` 上）", url_of(value)[:4])
        if name in URL_ATTRIBUTES and is_outside(value):
            return Drop("KB314", f"加载其他网站内容的 `<{tag}>`（{url_of(value)[:60]}）", url_of(value)[:40])
    if tag in LOADING_TAGS:
        return Drop("KB314" if tag != "style" else "KB315", f"标签 `<{tag}>`", f"<{tag}")
    return Drop("KB315", f"标签 `<{tag}>`", f"<{tag}")


def _attribute_drop(tag: str, name: str, value: str) -> Drop:
    if name.startswith("on"):
        return Drop("KB312", f"事件属性 `{name}=`（在 `<{tag}>` 上）", name)
    url = url_of(value)
    if _SCRIPT_URL.match(url) and name in URL_ATTRIBUTES | {"href", "src"}:
        return Drop("KB313", f"`{url.split(':')[0].lower()}:` 链接（在 `<{tag}>` 上）", url[:4])  # may be split over lines
    if name in URL_ATTRIBUTES and is_outside(value):
        return Drop("KB314", f"从其他网站加载的 `{name}`（{url[:60]}）", url[:40])
    if name == "style" and _CSS_LOAD.search(value):
        return Drop("KB314", f"`style` 属性里加载其他内容的 `url(…)`（在 `<{tag}>` 上）", "style")
    if name == "id":
        return Drop("KB315", f"以“__”开头的 id `{value}`（会与网站主题的元素冲突）", value)
    if name == "class":
        return _class_drop(tag, value.split())
    return Drop("KB315", f"属性 `{name}=`（在 `<{tag}>` 上）", name)


def _class_drop(tag: str, gone: list[str]) -> Drop:
    names = "、".join(f"`{c}`" for c in gone)
    if any("mermaid" in c for c in gone):
        return Drop("KB314", f"class {names}（网站主题会为它从其他网站下载脚本）", gone[0])
    return Drop("KB315", f"class {names}（在 `<{tag}>` 上）", gone[0])


# -- the whole page, as the theme renders it ---------------------------------------------------

THEME_SCRIPT_URLS = frozenset({"javascript:void(0)"})  # Material's own share and toggle links
_LOADING_LINK_RELS = frozenset({"stylesheet", "preload", "modulepreload", "prefetch", "icon",
                                "apple-touch-icon", "manifest", "dns-prefetch", "preconnect"})


class _Audit:
    def __init__(self):
        self.problems: list[tuple[str, str]] = []  # (rule, what)

    def __call__(self, tag: str, attribute: str, value: str):
        url = url_of(value)
        if attribute.startswith("on"):
            self.problems.append(("KB312", f"`<{tag}>` 上的事件属性 `{attribute}=`"))
        elif attribute in URL_ATTRIBUTES and _SCRIPT_URL.match(url) and url.lower() not in THEME_SCRIPT_URLS:
            self.problems.append(("KB313", f"`<{tag} {attribute}>` 中的 `{url[:40]}`"))
        elif attribute in ("src", "srcset", "poster", "data", "background") and is_outside(value):
            self.problems.append(("KB314", f"从其他网站加载的 `<{tag} {attribute}>`：{url[:80]}"))
        elif attribute == "style" and _CSS_LOAD.search(value):
            self.problems.append(("KB314", f"`<{tag}>` 的 style 属性加载其他内容"))
        return value


# The inline scripts Material 9.8 and overrides/main.html print, by how they begin. A theme upgrade
# that changes them fails the build of the real site (tests), and this list is updated with it.
THEME_INLINE_SCRIPTS = ("__md_scope=new URL(", "var palette=__md_get(", "var target=document.getElementById(location.hash",
                        "(function () {\n      var element = document.getElementById(\"__config\")")
_NEVER_IN_A_PAGE = frozenset({"style", "base", "iframe", "frame", "object", "embed", "applet", "portal"})


class _PageElements(HTMLParser):
    """Elements of a whole page, with the text of each inline <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if tag == "script" and "src" not in values:
            self._script, self._text = values, []

    def handle_data(self, data):
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text).strip()))
            self._script = None


def audit_page(html: str) -> list[tuple[str, str]]:
    """Problems in a whole built page (navigation, title, head and body as the theme printed them):
    event handlers, script URLs, loads from other sites, and elements the theme never prints
    (inline scripts of its own aside). A second line behind check(): it catches what reaches the
    page around the gate, through a template."""
    audit = _Audit()
    parsed = nh3.clean(html, tags=set(_KNOWN_TAGS), clean_content_tags=set(), generic_attribute_prefixes={""},
                       url_schemes=set(_EVERY_SCHEME), link_rel=None, strip_comments=True, attribute_filter=audit)
    reader = _PageElements()
    reader.feed(parsed)
    reader.close()
    for tag, values in reader.elements:
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and rels & _LOADING_LINK_RELS and is_outside(values.get("href", "")):
            audit.problems.append(("KB314", f"从其他网站加载的 `<link rel=\"{values['rel']}\">`：{values['href'][:80]}"))
        elif tag in _NEVER_IN_A_PAGE or (tag == "meta" and "http-equiv" in values):
            audit.problems.append(("KB311", f"标签 `<{tag}>`"))
        elif tag == "form" and values.get("action"):
            audit.problems.append(("KB311", f"提交到 `{values['action'][:60]}` 的表单"))
        elif "ping" in values:
            audit.problems.append(("KB314", f"`<{tag}>` 上的 `ping` 属性"))
    for values, text in reader.scripts:
        theme = (values.get("type") == "application/json" and values.get("id") == "__config") \
            or text.startswith(THEME_INLINE_SCRIPTS)
        if not theme:
            audit.problems.append(("KB311", f"网站主题之外的脚本 `{text[:40]}`"))
    return list(dict.fromkeys(audit.problems))
