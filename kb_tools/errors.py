"""Domain errors. Raised deep, turned into one Chinese message and an exit code at the CLI edge."""

from __future__ import annotations

import errno


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


def os_reason(err: OSError, *, reading: bool = False) -> str:
    """Why a file operation failed, in Chinese: the one place system errors are explained.
    `reading` tells a refused read from a refused write (EACCES means either)."""
    if err.errno in (errno.EACCES, errno.EPERM):
        return "没有读取权限" if reading else "没有写入权限"
    if err.errno in _OS_REASONS:
        return _OS_REASONS[err.errno]
    name = errno.errorcode.get(err.errno or 0)
    return f"系统错误 {name}" if name else f"系统错误（{err}）"


_OS_REASONS = {
    errno.EROFS: "文件系统是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "文件超出大小限制",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.EEXIST: "同名文件已存在",
    errno.ENOENT: "文件或目录不存在",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.ELOOP: "符号链接形成了循环",
    errno.EIO: "磁盘读写出错",
    errno.EMFILE: "打开的文件太多",
    errno.EBUSY: "文件正被其他程序占用",
}
