"""What day it is, for the rules that depend on the date (review age, dates in the future).

The one place that reads the clock: `KB_TODAY=2028-12-01` makes every command and check behave as
on that day, so a test or an editor can see what next year's check will say without touching the
system clock."""

from __future__ import annotations

import datetime as dt
import os

from kb_tools.errors import KbError

ENV = "KB_TODAY"


def today() -> dt.date:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise KbError(f"环境变量 {ENV} 的值“{value}”不是日期。请写成 YYYY-MM-DD，例如 {ENV}=2026-11-26，"
                      f"或删除这个环境变量以使用今天的日期。") from None
