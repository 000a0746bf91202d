"""No manuscript, however broken or hostile, makes `check` or `build` raise, hang or write
outside the output folder: it ends in findings or in a finished build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presswork.cli import cli

FRAGMENTS = [
    "# Title",
    "## Section",
    "### Sub {#sub}",
    "#### Deep",
    "{#x}",
    "::: summary",
    ":::",
    "::: other",
    "[^a]",
    "[^b]",
    "[^a]: A note.",
    "[^b]:",
    "    indented",
    "> quote",
    "- item",
    "1. item",
    "* star",
    "_em_",
    "**strong**",
    "`code`",
    "```",
    "[link](b.md)",
    "[x](#sub)",
    "[c](chapter:c)",
    "[w](https://example.org)",
    "![alt](img.png)",
    "![](x.png)",
    "<b>",
    "</div>",
    "<!-- c -->",
    '"straight"',
    "--",
    "—",
    "“curly”",
    "---",
    "***",
    "\t",
    "\\",
    "&amp;",
    "조선",
    "\u0007",
    "\u00ad",
    "\u200b",
    "\ufeff",
    "𝔘",
    "\x00",
]
YAML_FRAGMENTS = [
    "title: Test",
    "language: en-GB",
    "language: [",
    "chapters: [a.md]",
    "chapters:",
    "  - a.md",
    "  - ../a.md",
    "  - a.md",
    "slug: Bad Slug",
    "toc_depth: 9",
    "notices:",
    "  - A *notice*.",
    "  - [^a]",
    "footnote_numbering: book",
    "page_size: A5",
    "page_size: 1mm 1mm",
    "&a x",
    "*a",
    "key: &anchor [*anchor]",
    "? complex",
    "- list",
    "title:",
    ": :",
    "{",
    "'",
    "%YAML 1.2",
    "!!python/object:os.system",
    "\u0085",
]


def markdown_text() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
    line = st.lists(piece, max_size=6).map(" ".join)
    return st.lists(line, max_size=25).map("\n".join)


def yaml_text() -> st.SearchStrategy[str]:
    line = st.one_of(st.sampled_from(YAML_FRAGMENTS), st.text(max_size=15))
    good = "title: Test\nlanguage: en-GB\nchapters: [a.md]\n"
    noise = st.lists(line, max_size=8).map("\n".join)
    return st.one_of(st.just(good), noise.map(lambda n: good + n), noise)


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args], catch_exceptions=True)


def assert_clean_exit(result: Result, allowed: tuple[int, ...]) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in allowed, result.output
    assert "Traceback" not in result.output


def write(root: Path, book: str, chapter: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "book.yaml").write_text(book, encoding="utf-8", errors="surrogatepass")
    (root / "a.md").write_bytes(chapter.encode("utf-8", "surrogatepass"))


def hostile(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


@hostile(150)
@given(book=yaml_text(), chapter=markdown_text())
def test_check_never_raises(tmp_path: Path, book: str, chapter: str) -> None:
    root = tmp_path / "m"
    write(root, book, chapter)
    result = invoke(root, "check", str(root), "--diagnostics", "json")
    assert_clean_exit(result, (0, 1))
    findings = json.loads(result.stdout)
    assert (result.exit_code == 1) == any(f["severity"] == "error" for f in findings)


@hostile(25)
@given(chapter=markdown_text())
def test_build_succeeds_or_reports(tmp_path: Path, chapter: str) -> None:
    root, output = tmp_path / "m", tmp_path / "out"
    write(root, "title: Test\nlanguage: en-GB\nchapters: [a.md]\n", "# Title\n\n" + chapter)
    (root / "img.png").write_bytes(b"not really a png")
    output.mkdir(exist_ok=True)
    before = sorted(p.name for p in output.iterdir())
    result = invoke(
        root, "build", str(root), "-o", str(output), "--format", "pdf", "--format", "epub"
    )
    assert_clean_exit(result, (0, 1, 3))
    after = sorted(p.name for p in output.iterdir())
    if result.exit_code == 0:
        assert "test.pdf" in after and "test.epub" in after
    else:
        assert after == before
    assert not any(name.endswith(".part") for name in after)


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    bomb += "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}" + f",*{chr(97 + i)}" * 8 + "]\n"
        for i in range(8)
    )
    write(tmp_path / "m", bomb, "# A\n")
    result = invoke(tmp_path, "check", str(tmp_path / "m"))
    assert_clean_exit(result, (1,))
    assert "PW101" in result.output and "aliases are not allowed" in result.output


def test_binary_junk_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "m"
    write(root, "title: Test\nlanguage: en-GB\nchapters: [a.md]\n", "")
    (root / "a.md").write_bytes(bytes(range(256)) * 64)
    result = invoke(tmp_path, "check", str(root))
    assert_clean_exit(result, (1,))
    assert "PW201" in result.output


@pytest.mark.parametrize("depth", [30, 500])
def test_deep_nesting_is_reported(tmp_path: Path, depth: int) -> None:
    root = tmp_path / "m"
    nested = "".join("  " * i + "- item\n" for i in range(depth))
    write(root, "title: Test\nlanguage: en-GB\nchapters: [a.md]\n", "# A\n\n" + nested)
    result = invoke(tmp_path, "build", str(root), "-o", str(tmp_path / "out"))
    assert_clean_exit(result, (1,))
    assert "PW604" in result.output


def test_200_000_footnote_calls_are_refused_quickly(tmp_path: Path) -> None:
    root = tmp_path / "m"
    write(
        root,
        "title: Test\nlanguage: en-GB\nchapters: [a.md]\n",
        "# A\n\n" + "[^n]" * 200_000 + "\n\n[^n]: N.\n",
    )
    result = invoke(tmp_path, "check", str(root))
    assert_clean_exit(result, (1,))
    assert "PW307" in result.output


def test_layout_reads_only_the_manuscript_and_styles(tmp_path: Path) -> None:
    from weasyprint.urls import URLFetchingError, fetch

    from presswork.layout.fetch import LocalFetcher

    inside = tmp_path / "manuscript" / "chart.png"
    inside.parent.mkdir()
    inside.write_bytes(b"\x89PNG")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    fetcher = LocalFetcher(inside.parent)
    with fetch(fetcher, inside.as_uri()) as resource:
        assert resource.read() == b"\x89PNG"
    for url in (
        outside.as_uri(),
        "https://example.org/x.css",
        "http://127.0.0.1/x.png",
        "data:text/plain,hello",
        (inside.parent / ".." / "secret.txt").as_uri(),
    ):
        with pytest.raises(URLFetchingError), fetch(fetcher, url):
            pass
    assert len(fetcher.refused) == 5
