"""Chinese order: text sorted by its pinyin, as readers look things up (停水 before 维修), not by
code point. Used by the tags plugin for the tag index and the pages under each tag (mkdocs.yml)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> tuple:
    """Sort key: syllables without tones, then with tone numbers, then the text itself, so that
    different words with the same reading still sort the same way every time."""
    from pypinyin import Style, lazy_pinyin

    plain = tuple(lazy_pinyin(text, style=Style.NORMAL, errors="default"))
    toned = tuple(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default"))
    return tuple(s.casefold() for s in plain), toned, text


def tag_key(tag, *args) -> tuple:
    """The tags plugin's `tags_sort_by` / `listings_tags_sort_by`: a tag by the pinyin of its name."""
    return pinyin_key(tag.name)


def item_key(mapping) -> tuple:
    """The tags plugin's `listings_sort_by`: the pages under a tag by the pinyin of their titles."""
    return pinyin_key(str(mapping.item.title))
