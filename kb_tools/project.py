"""Where the project lives and what mkdocs.yml says about it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kb_tools.errors import ProjectError, os_reason

CONFIG_NAME = "mkdocs.yml"


def _tolerant_yaml(text: str) -> dict:
    """mkdocs.yml may carry `!!python/name:` and `!ENV` tags; read it without executing them."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def ignore_tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_mapping(node)

    Loader.add_multi_constructor("", ignore_tag)
    Loader.add_multi_constructor("!", ignore_tag)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", ignore_tag)
    data = yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Project:
    root: Path
    index_path: Path | None = None  # default: $KB_INDEX_DIR or <root>/search_index

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @cached_property
    def config(self) -> dict:
        try:
            return _tolerant_yaml(self.config_path.read_text(encoding="utf-8"))
        except OSError as err:
            raise ProjectError(f"无法读取 {self.config_path}:{os_reason(err, reading=True)}。") from err
        except Exception as err:  # yaml.YAMLError, kept lazy so `kb search` need not import yaml
            raise ProjectError(f"{CONFIG_NAME} 不是有效的 YAML:{err}") from err

    @property
    def docs_dir(self) -> Path:
        return self.root / str(self.config.get("docs_dir", "docs"))

    @property
    def site_url(self) -> str:
        url = str(self.config.get("site_url") or "")
        return url if url.endswith("/") or not url else url + "/"

    @property
    def index_dir(self) -> Path:
        return Path(self.index_path or os.environ.get("KB_INDEX_DIR") or self.root / "search_index")

    def page_url(self, rel_path: str) -> str:
        return page_url(self.site_url, rel_path)


def page_url(site_url: str, rel_path: str) -> str:
    """Published URL of a page, following MkDocs' directory URLs."""
    stem = rel_path[:-3] if rel_path.endswith(".md") else rel_path
    if stem == "index":
        stem = ""
    elif stem.endswith("/index"):
        stem = stem[: -len("index")]
    else:
        stem += "/"
    return site_url + stem


def find_project(start: str | os.PathLike | None = None) -> Project:
    """The nearest directory holding mkdocs.yml, from KB_ROOT, `start` or the working directory."""
    env = os.environ.get("KB_ROOT")
    here = Path(env or start or os.getcwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_file():
            return Project(candidate)
    raise ProjectError(
        f"在 {here} 及其上级目录中找不到 {CONFIG_NAME}。请在知识库目录中运行，或设置环境变量 KB_ROOT。"
    )
