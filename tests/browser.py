"""Build the real site, serve it locally and drive it in Debian's headless chromium.

Used by the fixtures in conftest.py and by hand: `python tests/browser.py /tmp/shots` builds,
serves and screenshots the main pages at phone and desktop widths.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = ROOT / ".venv" / "bin" / "mkdocs"

# Playwright's own browser download is blocked; CI installs Debian's chromium instead.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = f"{CHROMIUM} 不存在：浏览器测试需要 Debian 的 chromium，请先运行 `bash .ci/setup --browser`。"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

# An iPhone-sized phone (the smallest width the site is designed for) and a laptop.
PHONE = dict(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True, has_touch=True)
DESKTOP = dict(viewport={"width": 1280, "height": 800})
SIZES = {"phone": PHONE, "desktop": DESKTOP}


class BuildFailed(AssertionError):
    pass


def build_site(dest: Path, root: Path = ROOT) -> str:
    """`mkdocs build --strict` of the repo into dest; returns the build log, raises if it is not clean."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(dest)],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise BuildFailed(f"mkdocs build --strict exited {proc.returncode}:\n{log}")
    warnings = [line for line in log.splitlines() if re.match(r"\s*WARNING\b", line)]
    if warnings:
        raise BuildFailed("mkdocs build printed warnings:\n" + "\n".join(warnings))
    return log


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by http.server
        pass


_COMPRESSED = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map")


class _PagesHandler(_QuietHandler):
    """Like a static host (GitHub Pages): the site under its path (site_url's /wuye-kb/), 404.html
    for a missing page, and text compressed with gzip when the browser accepts it."""

    mount = "/"
    gzip = False

    def send_head(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.mount):
            return self._not_found()
        self.path = "/" + self.path[len(self.mount):]
        local = Path(self.translate_path(self.path))
        if local.is_dir() and not (local / "index.html").is_file() or not local.exists():
            return self._not_found()
        if local.is_dir() and not self.path.split("?", 1)[0].endswith("/"):
            return super().send_head()  # the redirect to the slash
        if local.is_dir():
            local = local / "index.html"
        return self._send(local, 200)

    def _not_found(self):
        page = Path(self.directory) / "404.html"
        if not page.is_file():
            self.send_error(404)
            return None
        return self._send(page, 404)

    def _send(self, local: Path, status: int):
        import gzip
        import io

        body = local.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(str(local)))
        if self.gzip and local.suffix in _COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, 6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        # As GitHub Pages serves a site: cacheable for ten minutes.
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(directory: Path, *, mount: str | None = None, gzip: bool = False):
    """Serve directory on 127.0.0.1 at a free port; yields the base URL (ending in /).

    With `mount` (e.g. "/wuye-kb/") the site is served under that path as a static host serves
    it, with 404.html for missing pages; `gzip` compresses text as such hosts do."""
    if mount is None and not gzip:
        handler = functools.partial(_QuietHandler, directory=str(directory))
    else:
        handler = functools.partial(type("Handler", (_PagesHandler,), {"mount": mount or "/", "gzip": gzip}),
                                    directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{mount or '/'}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch(playwright):
    """Debian's chromium, headless. A missing browser is an error, never a skip: CI always has it."""
    if not CHROMIUM.exists():
        raise RuntimeError(CHROMIUM_MISSING)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


@dataclass
class Requests:
    """Every URL a browser context asks for, including workers, fonts and fetches.

    Requests to other hosts are recorded and aborted, so a test never depends on the network
    and a third-party load shows up as a failure instead of a slow page."""

    base: str
    urls: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.route("**/*", self._route)
        context.on("request", lambda request: self._record(request.url))

    def _record(self, url: str) -> None:
        if url not in self.urls:
            self.urls.append(url)

    def _route(self, route) -> None:
        url = route.request.url
        self._record(url)
        if self.is_local(url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def is_local(self, url: str) -> bool:
        scheme = urlsplit(url).scheme
        return url.startswith(self.base) or scheme in ("data", "blob", "about")

    @property
    def foreign(self) -> list[str]:
        return [url for url in self.urls if not self.is_local(url)]


@dataclass
class Tab:
    """One page in its own browser context, with the requests it made."""

    page: object  # playwright.sync_api.Page
    requests: Requests
    size: str

    def screenshot(self, name: str, directory: str | os.PathLike | None = None) -> Path | None:
        """Full-page <dir>/<name>-<size>.png when a directory is given or KB_SCREENSHOTS is set."""
        directory = directory or os.environ.get("KB_SCREENSHOTS")
        if not directory:
            return None
        path = Path(directory) / f"{name}-{self.size}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.page.context.close()


def open_tab(browser, base: str, size: str = "phone") -> Tab:
    """A fresh context (no shared storage) of the given size, light colour scheme, recording requests."""
    context = browser.new_context(base_url=base, locale="zh-CN", color_scheme="light", **SIZES[size])
    requests = Requests(base)
    requests.attach(context)
    return Tab(context.new_page(), requests, size)


SHOTS = {
    "home": "",
    "category": "compensation/",
    "question": "compensation/soaked-floor/",
    "law": "law/civil-code-personal-information/",
    "needs-review": "community/renovation/",
}


def take_screenshots(out: Path) -> list[Path]:
    """The pages a reader sees most, plus the empty search overlay, at phone and desktop widths."""
    import tempfile

    from playwright.sync_api import sync_playwright

    paths = []
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as base, sync_playwright() as pw:
        build_site(Path(tmp))
        browser = launch(pw)
        for size in SIZES:
            for name, url in SHOTS.items():
                tab = open_tab(browser, base, size)
                tab.page.goto(url, wait_until="networkidle")
                paths.append(tab.screenshot(name, out))
                if name == "home":
                    tab.page.keyboard.press("/")
                    tab.page.wait_for_selector("[data-md-component=search-query]:focus")
                    tab.page.wait_for_timeout(500)  # the overlay's opening transition
                    paths.append(out / f"search-{size}.png")
                    tab.page.screenshot(path=str(paths[-1]))
                if tab.requests.foreign:
                    print(f"{name}-{size}: third-party requests: {tab.requests.foreign}", file=sys.stderr)
                tab.close()
        browser.close()
    return paths


if __name__ == "__main__":
    for p in take_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots")):
        print(p)
