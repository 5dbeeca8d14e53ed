"""Keep the docs honest: the README's commands are the ones CI runs, every command is documented."""

from __future__ import annotations

import re

from kb_tools.cli import build_parser

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP_AND_SERVE = "bash .ci/setup && .venv/bin/kb serve"
TESTS = "bash .ci/setup --browser && .venv/bin/python -m pytest"


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_readme_gives_the_two_commands():
    assert f"```bash\n# 1. " in README and SETUP_AND_SERVE in README
    assert TESTS in README


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == [TESTS]


def test_every_command_has_chinese_help_and_is_documented():
    parser = build_parser()
    help_by_name = {a.dest: a.help for a in parser._subparsers._group_actions[0]._choices_actions}
    for name, sub in subcommands().items():
        assert re.search(r"[\u4e00-\u9fff]", help_by_name[name] or ""), name
        assert re.search(r"[\u4e00-\u9fff]", sub.description or ""), name
        assert f"`kb {name}" in README, f"kb {name} is not in README.md"
        for action in sub._actions:
            if action.dest != "help":
                assert action.help and re.search(r"[\u4e00-\u9fff]", action.help), f"kb {name} {action.dest}"


def test_readme_says_where_each_module_is():
    modules = sorted(p.name for p in (ROOT / "kb_tools").glob("*.py") if not p.name.startswith("__"))
    listed = set(re.findall(r"`([a-z_]+\.py)`", README))
    assert [name for name in modules if name not in listed] == []
