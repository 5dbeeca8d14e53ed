"""Domain errors. Raised deep, turned into one Chinese message and an exit code at the CLI edge."""

from __future__ import annotations


class KbError(Exception):
    """Base class: `str(err)` is a complete Chinese message that says what to do next."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class PageError(KbError):
    """A page cannot be read or its front matter is invalid."""


class FileRefused(PageError):
    """A file docs/ may not hold: its type, name or size, or a symbolic link. `rule` is the
    `kb check` rule that reports it (KB110, or KB111 for size)."""

    def __init__(self, message: str, *, path: str, rule: str = "KB110"):
        super().__init__(message, path=path)
        self.rule = rule


class ProjectError(KbError):
    """The project layout is broken (no mkdocs.yml, no docs/ …）."""


class IndexUnavailable(KbError):
    """The search index is missing, damaged or busy and cannot be used as it is."""

    exit_code = 3


class IndexBusy(KbError):
    """Another process holds the index build lock."""

    exit_code = 4


class QueryError(KbError):
    """The query is refused (empty after normalisation, not text …）."""

    exit_code = 2
