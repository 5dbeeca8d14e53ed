"""Categories as users name them: a folder under docs/ (compensation) or its name (损失与赔偿).

The mapping comes from whoever knows it cheaply: `kb new` from the page library, `kb search`
from the index's meta.json (written by kb_tools.indexer), so a search never reads the pages.
"""

from __future__ import annotations

from kb_tools.errors import KbError


def resolve(categories: dict[str, str], value: str, error: type[KbError] = KbError) -> str:
    """The folder of the category named `value` (folder or name); else `error` listing them all."""
    for folder, name in categories.items():
        if value in (folder, name):
            return folder
    names = "、".join(f"{name}（{folder}）" for folder, name in categories.items())
    raise error(f"没有名为“{value}”的分类。可用的分类：{names}。")
