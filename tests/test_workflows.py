"""The GitHub Actions workflows and the pull-request template.

actionlint is not installable here (its Python package downloads a binary), so the workflows are
validated against GitHub's workflow schema as vendored by check-jsonschema, plus the structural
promises that matter to us: pinned actions, least privilege, and the steps CONTRIBUTING.md names.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from kb_tools.checks.source import SourceFile
from kb_tools.checks.typography import check as typography

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
CHECK_JSONSCHEMA = ROOT / ".venv" / "bin" / "check-jsonschema"
TEMPLATE = ROOT / ".github" / "pull_request_template.md"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def runs(workflow: dict, job: str) -> list[str]:
    return [line.strip() for step in steps(workflow, job) for line in step.get("run", "").splitlines() if line.strip()]


def uses(workflow: dict, job: str) -> dict[str, dict]:
    """action name (without version) -> its `with:`."""
    return {s["uses"].split("@")[0]: s.get("with", {}) for s in steps(workflow, job) if "uses" in s}


def all_workflows() -> list[str]:
    return sorted(p.name for p in WORKFLOWS.glob("*.yml"))


def lint(*paths) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_the_workflows_exist():
    assert all_workflows() == ["check.yml", "publish.yml", "review-due.yml"]


def test_workflows_match_githubs_schema():
    result = lint(*(WORKFLOWS / name for name in all_workflows()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_schema_lint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: echo\n    permisions: read-all\n", encoding="utf-8")
    result = lint(broken)
    assert result.returncode == 1 and "runs-on" in result.stdout


@pytest.mark.parametrize("name", ["check.yml", "publish.yml", "review-due.yml"])
def test_every_action_is_pinned_to_a_commit_with_its_release_tag_named(name):
    """A tag can be moved to other code; a commit cannot. The comment says which release it is."""
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    found = re.findall(r"uses: (\S+)(.*)", text)
    assert found
    for action, comment in found:
        assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), comment


@pytest.mark.parametrize("name", ["check.yml", "publish.yml", "review-due.yml"])
def test_permissions_are_read_only_unless_a_job_needs_more(name):
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    granted = {job: spec.get("permissions") for job, spec in workflow["jobs"].items() if spec.get("permissions")}
    expected = {"check.yml": {}, "publish.yml": {"deploy": {"pages": "write", "id-token": "write"},
                                                 "record-urls": {"contents": "write"}}, "review-due.yml": {}}
    assert granted == expected[name]


@pytest.mark.parametrize("name", ["check.yml", "publish.yml", "review-due.yml"])
def test_no_event_text_is_pasted_into_scripts(name):
    """Branch names and PR titles are attacker-controlled: never `${{ github.event… }}` inside `run:`."""
    workflow = load(name)
    for job in workflow["jobs"]:
        for step in steps(workflow, job):
            assert "${{" not in step.get("run", ""), step


def test_pull_request_workflow_runs_checks_build_tests_and_the_gate():
    workflow = load("check.yml")
    assert "pull_request" in workflow["on"]
    assert list(workflow["jobs"]) == ["check"]
    actions = uses(workflow, "check")
    assert actions["actions/checkout"] == {"fetch-depth": 0}
    assert actions["actions/setup-python"] == {"python-version": "3.11"}
    commands = runs(workflow, "check")
    assert commands == [
        "bash .ci/setup --browser",
        ".venv/bin/kb check",
        ".venv/bin/mkdocs build --strict --site-dir _site",
        """mapfile -t pages < <(git diff --name-only --diff-filter=d "origin/${GITHUB_BASE_REF:-main}...HEAD" -- 'docs/*.md')""",
        '.venv/bin/kb check --markdown "${pages[@]}" >> "$GITHUB_STEP_SUMMARY" || true',
        "bash .ci/run",
        ".venv/bin/kb eval",
        ".venv/bin/python -m pytest tests/test_site_search.py -k evaluation -s",
    ]
    gate = (ROOT / "tests" / "test_site_search.py").read_text(encoding="utf-8")
    assert re.search(r"def test_\w*evaluation\w*\(", gate), "the evaluation gate test is gone"
    assert "bash .ci/setup --browser && .venv/bin/python -m pytest" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # Every step after the setup runs even when an earlier check failed, so an editor sees all problems.
    for step in steps(workflow, "check")[3:]:
        assert step["if"].startswith("${{ !cancelled() && steps.setup.outcome == 'success'"), step["name"]


def test_pull_request_attaches_the_built_site_and_summarises_the_changed_pages():
    workflow = load("check.yml")
    names = [s["name"] for s in steps(workflow, "check")]
    build = next(s for s in steps(workflow, "check") if s.get("id") == "build")
    upload = next(s for s in steps(workflow, "check") if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "site-preview" and upload["with"]["path"] == "_site" in build["run"]
    assert "steps.build.outcome == 'success'" in upload["if"]
    summary = next(s for s in steps(workflow, "check") if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert names.index(build["name"]) < names.index(upload["name"]) < names.index(summary["name"])
    assert names.index(summary["name"]) < names.index(next(n for n in names if "bash .ci/run" in n))


def test_weekly_review_reminder_lists_due_pages_and_fails_nothing():
    workflow = load("review-due.yml")
    assert workflow["on"]["schedule"] == [{"cron": "0 1 * * 1"}] and "workflow_dispatch" in workflow["on"]
    assert "pull_request" not in workflow["on"] and "push" not in workflow["on"]
    assert runs(workflow, "review-due") == [
        "bash .ci/setup", '.venv/bin/kb review-due --within 30 | tee -a "$GITHUB_STEP_SUMMARY"']


def test_publish_workflow_deploys_main_to_pages_then_records_urls():
    workflow = load("publish.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build = uses(workflow, "build")
    assert build["actions/checkout"] == {"fetch-depth": 0}
    assert build["actions/setup-python"] == {"python-version": "3.11"}
    pull_request = runs(load("check.yml"), "check")
    gates = [".venv/bin/kb check", ".venv/bin/mkdocs build --strict --site-dir _site", "bash .ci/run"]
    assert all(gate in pull_request for gate in gates)  # the same gates as a pull request
    assert runs(workflow, "build") == ["bash .ci/setup --browser", *gates]
    assert build["actions/upload-pages-artifact"] == {"path": "_site"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert list(uses(workflow, "deploy")) == ["actions/deploy-pages"]
    listing = workflow["jobs"]["list-urls"]
    assert listing["needs"] == "deploy" and "permissions" not in listing
    assert runs(workflow, "list-urls") == ["bash .ci/setup", ".venv/bin/kb urls --update"]
    record = workflow["jobs"]["record-urls"]
    assert record["needs"] == "list-urls"
    script = runs(workflow, "record-urls")
    assert "git add kb_tools/data/published_urls.txt" in script and 'git push origin "HEAD:$GITHUB_REF_NAME"' in script


def test_the_job_that_may_push_installs_and_runs_nothing_of_ours():
    record = load("publish.yml")["jobs"]["record-urls"]
    assert record["permissions"] == {"contents": "write"}
    assert list(uses(load("publish.yml"), "record-urls")) == ["actions/checkout", "actions/download-artifact"]
    commands = " ".join(runs(load("publish.yml"), "record-urls"))
    for word in (".ci/", ".venv", "pip", "uv ", "apt", "python", "npm"):
        assert word not in commands, word


def test_pull_request_template_is_a_chinese_checklist():
    text = TEMPLATE.read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.+)$", text, re.M)
    assert len(items) == 7
    for needed in ("CONTRIBUTING.md", "个人信息", "法律更新提示", "kb_tools/data/redirects.yml", "kb check", "needs-review"):
        assert needed in text, needed
    assert typography(SourceFile.parse("t.md", "pull_request_template.md", text)) == []


def test_what_setup_installs_is_pinned_and_hashed():
    """uv comes from a hashed requirements file; the build backend is in uv.lock (hashed) and the
    project is built with it, without fetching another one."""
    import tomllib

    setup = (ROOT / ".ci" / "setup").read_text(encoding="utf-8")
    assert "pip install -q --require-hashes -r .ci/tools.txt" in setup
    tools = (ROOT / ".ci" / "tools.txt").read_text(encoding="utf-8")
    assert re.search(r"^uv==\d+\.\d+\.\d+ \\$", tools, re.M) and len(re.findall(r"--hash=sha256:[0-9a-f]{64}", tools)) >= 2
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (backend,) = project["build-system"]["requires"]
    assert re.fullmatch(r"setuptools==[\d.]+", backend)
    assert backend in project["dependency-groups"]["build"]
    assert project["tool"]["uv"]["no-build-isolation-package"] == ["wuye-kb"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = next(p for p in lock["package"] if p["name"] == "setuptools")
    assert locked["version"] == backend.split("==")[1] and locked["wheels"][0]["hash"].startswith("sha256:")
    assert setup.index("--no-install-project") < setup.rindex("uv sync --frozen")
