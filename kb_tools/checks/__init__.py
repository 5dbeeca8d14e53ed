"""`kb check`: numbered rules (KB101 …) over the pages, documented in CONTRIBUTING.md.

One module per group of rules; `runner` puts them together. Findings name the file, the line and
the rule, in Chinese, and say what to change."""

from kb_tools.checks.rules import RULES, Finding, Rule
from kb_tools.checks.runner import CheckReport, CheckUsageError, run_checks

__all__ = ["RULES", "CheckReport", "CheckUsageError", "Finding", "Rule", "run_checks"]
