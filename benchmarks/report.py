"""Benchmark presswork against pandoc on a synthetic annual report of N entries.

What goes in: the seed chapter ``manuscript/north-korea.md`` (the North Korea entry, with
its three notes) and a list of sizes (``--sizes 15 50 150`` by default). For each size N the
script writes, in a temporary folder (or in ``--keep DIR``), two versions of the same report:

- a presswork manuscript: ``book.yaml`` (title, ``language: en-GB``, the chapters) and N
  chapter files ``entry-001.md`` …, each the whole seed chapter with its own front-matter
  ``id`` (``entry-7``) and title (``# Entry 7``);
- one pandoc Markdown file with the same N entries one after the other, the footnote labels
  and heading ids prefixed with the entry number (pandoc's labels are document-wide) and the
  book's title and language in a YAML metadata block.

presswork's modules are first compiled to bytecode, as installing a package compiles them,
so that no measured run compiles them (where ``PYTHONDONTWRITEBYTECODE`` is set, every
process of every build would). Each command then runs as a separate child process, so
that its peak memory is its own (``ru_maxrss`` from ``os.wait4``, which covers the child
and the processes it waited for, such as pandoc's WeasyPrint):

1. ``presswork build SRC -o OUT`` (screen PDF, print PDF and ePub, into an empty folder:
   a cold build, every entry laid out, in as many processes as the machine has cores);
2. ``presswork build SRC -o OUT --format epub``: the ePub alone, its page numbers taken
   from the layout cached by the build before;
3. ``presswork build SRC -o OUT2 --format epub``: the ePub alone into an empty folder,
   which must lay the pages out to number them;
4. a one-word edit in entry 1, then ``presswork build SRC -o OUT`` again;
5. ``presswork build SRC -o OUT3 --single``: the book laid out as one document, for
   comparison (skipped with ``--skip-single``);
6. ``pandoc report.md -o report.epub --toc``;
7. ``pandoc report.md -o report.pdf --toc --pdf-engine=weasyprint`` (the venv's WeasyPrint).

What comes out, on stdout: the machine and the versions used, then one table per size
(command, wall seconds, peak MB, pages, pages per second) followed by the ratios presswork
aims at, each marked met or not met, and a last table of presswork's seconds per
page at each size relative to the smallest. The exit status is 0 when every command ran
(whether or not the targets are met) and 1 when one failed.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import importlib.util
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from corpus import (
    _split_seed,
    edit_one_word,
    write_pandoc_manuscript,
    write_presswork_manuscript,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "manuscript" / "north-korea.md"
VENV_BIN = Path(sys.executable).parent
DEFAULT_SIZES = (15, 50, 150)
TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class Measurement:
    """One command's run: how long it took, its peak memory and the pages it made."""

    label: str
    wall_s: float
    peak_mb: float
    pages: int | None
    returncode: int
    stderr_tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def pages_per_s(self) -> float | None:
        if self.pages is None or self.wall_s <= 0:
            return None
        return self.pages / self.wall_s


@dataclass(frozen=True)
class Ratio:
    """A ratio presswork sets a target for; ``value`` is None when it cannot be computed."""

    name: str
    value: float | None
    target: str
    met: bool | None
    note: str = ""


@dataclass(frozen=True)
class SizeResult:
    entries: int
    rows: dict[str, Measurement]
    pdf_bytes: dict[str, int] = field(default_factory=dict)  # "joined", "single"
    # per 100 pages of body text, by whose PDF: "presswork" (the cold build's), "pandoc"
    typography: dict[str, dict[str, float]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Running and measuring


def run_measured(
    label: str,
    command: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout_s: float = TIMEOUT_S,
) -> tuple[Measurement, str]:
    """Run ``command`` as a child process; return its measurement and its stdout.

    Wall time is taken around the child's whole life; peak memory is ``ru_maxrss`` as
    ``wait4`` reports it for that child (Linux: kilobytes, the largest of the child and
    the descendants it waited for).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err)
        timer = threading.Timer(timeout_s, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        returncode = os.waitstatus_to_exitcode(status)
        proc.returncode = returncode  # reaped by wait4: keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    tail = "\n".join(stderr.strip().splitlines()[-15:])
    measurement = Measurement(label, wall, usage.ru_maxrss / 1024, None, returncode, tail)
    return measurement, stdout


def with_pages(measurement: Measurement, pages: int | None) -> Measurement:
    return Measurement(
        measurement.label,
        measurement.wall_s,
        measurement.peak_mb,
        pages,
        measurement.returncode,
        measurement.stderr_tail,
    )


def pdf_pages(path: Path) -> int | None:
    if not path.is_file():
        return None
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def epub_pages(stdout: str) -> int | None:
    """The printed pages the ePub's page-list names, as ``build --json`` states them."""
    try:
        summary = json.loads(stdout)
    except ValueError:
        return None
    pages = [f["pages"] for f in summary.get("files", []) if f.get("edition") == "epub"]
    return pages[0] if pages else None


def pandoc_path() -> str:
    import pypandoc  # type: ignore[import-untyped, unused-ignore]

    return str(pypandoc.get_pandoc_path())


def tool_env() -> dict[str, str]:
    """The environment for the children: the venv's executables first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def presswork_exe(chosen: str | None = None) -> str:
    if chosen:
        return chosen
    local = VENV_BIN / "presswork"
    return str(local) if local.is_file() else (shutil.which("presswork") or "presswork")


def bench_size(
    entries: int,
    work: Path,
    seed_body: str,
    skip_pandoc: bool,
    skip_single: bool,
    presswork_path: str | None = None,
) -> SizeResult:
    folder = work / f"entries-{entries}"
    src = folder / "manuscript"
    out_all = folder / "out"
    out_epub = folder / "out-epub"
    write_presswork_manuscript(src, seed_body, entries)
    env = tool_env()
    presswork = presswork_exe(presswork_path)
    rows: dict[str, Measurement] = {}

    def say(text: str) -> None:
        print(f"  [{entries} entries] {text}", file=sys.stderr, flush=True)

    say("presswork build, all three editions (cold)")
    cold, _ = run_measured(
        "presswork build (3 editions, cold)",
        [presswork, "build", str(src), "-o", str(out_all)],
        cwd=folder,
        env=env,
    )
    rows["cold"] = with_pages(cold, pdf_pages(out_all / "report.pdf"))

    # The ePub alone: after the build (its page numbers from the cache), then into an
    # empty folder (the pages laid out to number them).
    # With no page list, into an empty folder: nothing is laid out at all.
    epubs = (
        ("epub", "cached layout", out_all, ()),
        ("epub_cold", "cold", out_epub, ()),
        ("epub_bare", "--no-page-list", folder / "out-epub-bare", ("--no-page-list",)),
    )
    for key, kind, out, extra in epubs:
        say(f"presswork build --format epub ({kind})")
        epub, stdout = run_measured(
            f"presswork build --format epub ({kind})",
            [presswork, "build", str(src), "-o", str(out), "--format", "epub", "--json", *extra],
            cwd=folder,
            env=env,
        )
        rows[key] = with_pages(epub, epub_pages(stdout))

    say("one-word edit in entry 1, presswork build again")
    edit_one_word(src / "entry-001.md")
    rebuild, _ = run_measured(
        "presswork rebuild after 1-word edit",
        [presswork, "build", str(src), "-o", str(out_all)],
        cwd=folder,
        env=env,
    )
    rows["rebuild"] = with_pages(rebuild, pdf_pages(out_all / "report.pdf"))

    if not skip_single:
        say("presswork build --single (one document, for comparison)")
        whole, _ = run_measured(
            "presswork build --single (3 editions)",
            [presswork, "build", str(src), "-o", str(folder / "out-single"), "--single"],
            cwd=folder,
            env=env,
        )
        rows["single"] = with_pages(whole, pdf_pages(folder / "out-single" / "report.pdf"))

    if not skip_pandoc:
        pandoc = pandoc_path()
        pandoc_dir = folder / "pandoc"
        source = pandoc_dir / "report.md"
        write_pandoc_manuscript(source, seed_body, entries)

        say("pandoc to ePub")
        pepub, _ = run_measured(
            "pandoc -> ePub",
            [pandoc, str(source), "-o", str(pandoc_dir / "report.epub"), "--toc"],
            cwd=pandoc_dir,
            env=env,
        )
        rows["pandoc_epub"] = pepub

        say("pandoc to PDF with WeasyPrint")
        ppdf, _ = run_measured(
            "pandoc -> PDF (weasyprint)",
            [
                pandoc,
                str(source),
                "-o",
                str(pandoc_dir / "report.pdf"),
                "--toc",
                "--pdf-engine=weasyprint",
            ],
            cwd=pandoc_dir,
            env=env,
        )
        rows["pandoc_pdf"] = with_pages(ppdf, pdf_pages(pandoc_dir / "report.pdf"))
    sizes = {
        name: path.stat().st_size
        for name, path in (
            ("joined", out_all / "report.pdf"),
            ("single", folder / "out-single" / "report.pdf"),
        )
        if path.is_file()
    }
    typography = {
        name: measure_typography(path)
        for name, path in (
            ("presswork", out_all / "report.pdf"),
            ("pandoc", folder / "pandoc" / "report.pdf"),
        )
        if path.is_file()
    }
    return SizeResult(entries, rows, sizes, typography)


# --------------------------------------------------------------------------------------
# Ratios and printing


def _ratio(
    name: str,
    rows: dict[str, Measurement],
    top: str,
    bottom: str,
    limit: float,
    field: str = "wall_s",
) -> Ratio:
    target = f"<= {limit:g}"
    a, b = rows.get(top), rows.get(bottom)
    if a is None or b is None or not (a.ok and b.ok):
        return Ratio(name, None, target, None)
    denominator = float(getattr(b, field))
    if denominator <= 0:
        return Ratio(name, None, target, None)
    value = float(getattr(a, field)) / denominator
    return Ratio(name, value, target, value <= limit)


def seconds_per_page(result: SizeResult) -> float | None:
    cold = result.rows.get("cold")
    if cold is None or not cold.ok or not cold.pages:
        return None
    return cold.wall_s / cold.pages


def scale_ratio(result: SizeResult, smallest: SizeResult) -> Ratio:
    target = "within 15% of 1"
    name = f"presswork s/page, {result.entries} vs {smallest.entries} entries"
    here, base = seconds_per_page(result), seconds_per_page(smallest)
    if result.entries == smallest.entries:
        return Ratio(name, None if here is None else 1.0, "baseline", None)
    if here is None or base is None or base <= 0:
        return Ratio(name, None, target, None)
    value = here / base
    met = abs(value - 1) <= 0.15
    note = "" if met else (" (cheaper per page)" if value < 1 else " (dearer per page)")
    return Ratio(name, value, target, met, note)


def size_ratios(result: SizeResult, smallest: SizeResult) -> list[Ratio]:
    rows = result.rows
    return [
        _ratio("cold build (3 editions) / pandoc+WeasyPrint PDF", rows, "cold", "pandoc_pdf", 0.6),
        _ratio("one-word rebuild / cold build", rows, "rebuild", "cold", 0.1),
        _ratio("presswork ePub / pandoc ePub", rows, "epub", "pandoc_epub", 0.3),
        _ratio(
            "presswork peak / pandoc+WeasyPrint peak",
            rows,
            "cold",
            "pandoc_pdf",
            0.5,
            field="peak_mb",
        ),
        scale_ratio(result, smallest),
        size_ratio(result),
    ]


def size_ratio(result: SizeResult) -> Ratio:
    """The joined PDF's size against the same book laid out as one document."""
    name, target = "joined PDF size / single-document PDF size", "<= 1.25"
    joined, single = result.pdf_bytes.get("joined"), result.pdf_bytes.get("single")
    if not joined or not single:
        return Ratio(name, None, target, None)
    value = joined / single
    return Ratio(name, value, target, value <= 1.25)


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _verdict(ratio: Ratio) -> str:
    if ratio.target == "baseline":
        return "baseline"
    if ratio.met is None:
        return "n/a"
    return ("met" if ratio.met else "NOT met") + ratio.note


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> None:
    """Print a plain-text table; the first ``left`` columns are left-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def measure_typography(pdf: Path) -> dict[str, float]:
    """What a production editor would send back, per 100 pages of body text
    (presswork.release.typography, which reads any PDF)."""
    from presswork.release.typography import measure

    counts = measure(pdf)
    return {"body pages": float(counts.body_pages), **counts.per_hundred_pages()}


def print_typography(result: SizeResult) -> None:
    if not result.typography:
        return
    names = list(result.typography)
    measures = list(next(iter(result.typography.values())))
    print("\ntypography (per 100 pages of body text)")
    print_table(
        ["measure", *names],
        [[m, *(_fmt(result.typography[n].get(m), 1) for n in names)] for m in measures],
    )


def print_size(result: SizeResult, smallest: SizeResult) -> None:
    print(f"\n== {result.entries} entries ==")
    rows = []
    for m in result.rows.values():
        rows.append(
            [
                m.label + ("" if m.ok else f"  FAILED (exit {m.returncode})"),
                f"{m.wall_s:.2f}",
                f"{m.peak_mb:.0f}",
                "-" if m.pages is None else str(m.pages),
                _fmt(m.pages_per_s, 2),
            ]
        )
    print_table(["command", "wall s", "peak MB", "pages", "pages/s"], rows)
    print()
    ratios = [
        [r.name, _fmt(r.value, 3), r.target, _verdict(r)] for r in size_ratios(result, smallest)
    ]
    print_table(["ratio", "value", "target", "verdict"], ratios, left=1)


def marginal_seconds_per_page(result: SizeResult, previous: SizeResult) -> float | None:
    """What each page added since the previous size cost: flat when the cost grows
    linearly, whatever is paid once per build."""
    here, before = result.rows.get("cold"), previous.rows.get("cold")
    if here is None or before is None or not (here.ok and before.ok):
        return None
    if not here.pages or not before.pages or here.pages <= before.pages:
        return None
    return (here.wall_s - before.wall_s) / (here.pages - before.pages)


def print_scale(results: Sequence[SizeResult]) -> None:
    smallest = results[0]
    print("\n== presswork seconds per page (cold build of the 3 editions) ==")
    rows = []
    for index, result in enumerate(results):
        ratio = scale_ratio(result, smallest)
        cold = result.rows.get("cold")
        marginal = marginal_seconds_per_page(result, results[index - 1]) if index else None
        rows.append(
            [
                str(result.entries),
                "-" if cold is None or cold.pages is None else str(cold.pages),
                _fmt(seconds_per_page(result), 4),
                _fmt(ratio.value, 3),
                _verdict(ratio),
                _fmt(marginal, 4),
            ]
        )
    headers = ["entries", "pages", "s/page", f"vs {smallest.entries}", "within 15%"]
    print_table([*headers, "s/added page"], rows)
    # The same target read as "cost grows linearly": what a page adds, at the largest
    # step against the smallest (what is paid once per build is left out of both).
    marginals = [marginal_seconds_per_page(b, a) for a, b in itertools.pairwise(results)]
    first, last = (marginals[0], marginals[-1]) if len(marginals) >= 2 else (None, None)
    if first and last:
        value = last / first
        verdict = "met" if abs(value - 1) <= 0.15 else "NOT met"
        print(
            f"s/added page, {results[-2].entries}->{results[-1].entries} vs "
            f"{results[0].entries}->{results[1].entries} entries: {value:.3f} "
            f"(within 15% of 1: {verdict})"
        )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _total_memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _pandoc_version() -> str:
    try:
        done = subprocess.run(
            [pandoc_path(), "--version"], capture_output=True, text=True, check=True
        )
    except (ImportError, OSError, subprocess.CalledProcessError) as error:
        return f"unavailable ({error})"
    return done.stdout.splitlines()[0] if done.stdout else "unknown"


def print_machine(skip_pandoc: bool) -> None:
    print("presswork report-scale benchmark")
    nproc = len(os.sched_getaffinity(0))
    print(f"machine:    nproc {nproc} (of {os.cpu_count()} CPUs), {_cpu_model()}")
    print(f"memory:     {_total_memory()}")
    print(f"system:     {platform.platform()}")
    print(f"python:     {platform.python_version()} ({sys.executable})")
    print(f"presswork:  {_version('presswork')}")
    print(f"weasyprint: {_version('weasyprint')}")
    print(f"pandoc:     {'skipped' if skip_pandoc else _pandoc_version()}")
    print(f"bytecode:   compiled in {compile_presswork()}")


def compile_presswork() -> str:
    """Compile presswork's modules to bytecode where they are imported from; say where."""
    spec = importlib.util.find_spec("presswork")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        compileall.compile_dir(folder, quiet=1)
    return ", ".join(folders) or "presswork not found"


def print_failures(results: Sequence[SizeResult]) -> bool:
    failed = [(r.entries, m) for r in results for m in r.rows.values() if not m.ok]
    for entries, m in failed:
        print(f"\n{entries} entries: {m.label} exited {m.returncode}; stderr ends:")
        print(m.stderr_tail or "(empty)")
    return bool(failed)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="entries per report"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="write the manuscripts and editions into DIR and keep them",
    )
    parser.add_argument(
        "--skip-pandoc", action="store_true", help="build with presswork only (no ratios)"
    )
    parser.add_argument(
        "--skip-single", action="store_true", help="do not build the book as one document"
    )
    parser.add_argument(
        "--presswork",
        default=None,
        help="the presswork command to measure (default: the one in .venv), for an A/B run",
    )
    args = parser.parse_args(argv)
    if any(size < 1 for size in args.sizes):
        parser.error("sizes must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes: list[int] = sorted(set(args.sizes))
    seed_body = _split_seed(SEED.read_text(encoding="utf-8"))
    print_machine(args.skip_pandoc)
    sys.stdout.flush()

    results: list[SizeResult] = []
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep.resolve()
        for size in sizes:
            shutil.rmtree(work / f"entries-{size}", ignore_errors=True)
            results.append(
                bench_size(
                    size, work, seed_body, args.skip_pandoc, args.skip_single, args.presswork
                )
            )
            print_size(results[-1], results[0])
            print_typography(results[-1])
            sys.stdout.flush()
    else:
        with tempfile.TemporaryDirectory(prefix="presswork-bench-") as temp:
            for size in sizes:
                results.append(
                    bench_size(
                        size,
                        Path(temp),
                        seed_body,
                        args.skip_pandoc,
                        args.skip_single,
                        args.presswork,
                    )
                )
                print_size(results[-1], results[0])
                print_typography(results[-1])
                sys.stdout.flush()
                shutil.rmtree(Path(temp) / f"entries-{size}", ignore_errors=True)
    print_scale(results)
    return 1 if print_failures(results) else 0


if __name__ == "__main__":
    sys.exit(main())
