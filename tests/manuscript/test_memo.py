"""A build takes unchanged chapters as they were last read, findings included, and reads
again what changed or what the cache cannot vouch for."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from presswork.cache import FORMAT, Store
from presswork.errors import Report
from presswork.manuscript.chapters import read_chapter
from presswork.manuscript.memo import _decode_object, _encode

from conftest import BOOKS, MANUSCRIPT, run_presswork

CACHE = Path(".presswork-cache")
KEPT = CACHE / "chapter"


def test_every_chapter_comes_back_as_it_was_read() -> None:
    for root in (BOOKS / "multi", MANUSCRIPT):
        for path in sorted(root.resolve().glob("*.md")):
            report = Report()
            chapter = read_chapter(path, root.resolve(), report)
            assert chapter is not None, path
            assert json.loads(json.dumps(_encode(chapter)), object_hook=_decode_object) == chapter


def build(source: Path, output: Path, *options: str) -> tuple[int, str]:
    result = run_presswork("build", source, "-o", output, "--format", "epub", *options)
    return result.returncode, result.stderr


def test_findings_of_a_kept_chapter_are_reported_again(
    tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book(chapters={"a.md": "---\nflavour: mint\n---\n# A\n\nText.\n"})
    output = tmp_path / "out"
    for _ in range(3):
        code, stderr = build(root, output)
        assert code == 0 and "PW104" in stderr and "flavour" in stderr
    assert len(list((output / KEPT).glob("*"))) == 1


def test_a_figure_removed_from_the_folder_is_missed_and_a_failed_check_keeps_nothing(
    tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book(chapters={"a.md": "# A\n\n![A chart](chart.png)\n"})
    shutil.copy(BOOKS / "multi" / "chart.png", root / "chart.png")
    output = tmp_path / "out"
    assert build(root, output)[0] == 0
    kept = sorted((output / KEPT).glob("*"))
    assert len(kept) == 1
    (root / "chart.png").unlink()
    code, stderr = build(root, output)
    assert code == 1 and "chart.png" in stderr
    assert sorted((output / KEPT).glob("*")) == kept  # nothing kept from a failure


def test_an_edited_damaged_or_foreign_entry_is_read_again(
    tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book(chapters={"a.md": "# A\n\nFirst text.\n", "b.md": "# B\n\nOther.\n"})
    output = tmp_path / "out"
    assert build(root, output)[0] == 0
    epub = (output / "test-book.epub").read_bytes()
    entries = sorted((output / KEPT).glob("*"))
    assert len(entries) == 2
    (first,) = [e for e in entries if b"First text" in e.read_bytes()]
    store = Store(output / CACHE)
    record = first.read_bytes()
    kept = store.read("chapter", first.name)
    assert kept is not None
    envelope = json.loads(kept)

    def well_formed(payload: str) -> None:  # a record whose header vouches for it
        store.write("chapter", first.name, payload.encode("utf-8"))

    damages = [
        lambda: first.write_bytes(b"not a record"),
        lambda: first.write_bytes(record.replace(b"First text", b"Fxrst text")),
        lambda: first.write_bytes(record.replace(f" {FORMAT} ".encode(), b" 1 ", 1)),
        lambda: well_formed("{ not json"),
        lambda: well_formed(
            json.dumps({**envelope, "chapter": {"type": "Popen", "fields": {"args": ["true"]}}})
        ),
        lambda: well_formed(
            json.dumps({**envelope, "chapter": {"type": "Chapter", "fields": {"id": 1}}})
        ),
    ]
    for damage in damages:
        damage()
        assert first.read_bytes() != record
        assert build(root, output)[0] == 0
        assert (output / "test-book.epub").read_bytes() == epub
        assert first.read_bytes() == record
    (root / "a.md").write_text("# A\n\nSecond text.\n", encoding="utf-8")
    assert build(root, output)[0] == 0
    with zipfile.ZipFile(output / "test-book.epub") as archive:
        text = "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith("xhtml")
        )
    assert "Second text" in text and "First text" not in text
    after = sorted((output / KEPT).glob("*"))
    assert len(after) == 2 and first not in after


def test_a_build_is_told_the_configuration_before_the_chapters_are_read(
    make_book: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The configuration reaches the build before any chapter is read (it sets up the
    processes meanwhile), once, even where a chapter has an error."""
    from presswork.config.manifest import BookConfig
    from presswork.manuscript import load as loading

    root = make_book(chapters={"a.md": "# A\n\nText.\n", "b.md": "# B\n\nA call[^x].\n"})
    events: list[str] = []
    reading = loading.read_book

    def read_book(*args: object, **kwargs: object) -> object:
        events.append("chapters read")
        return reading(*args, **kwargs)  # type: ignore[arg-type]

    def configured(config: BookConfig) -> None:
        events.append(f"told of {len(config.chapters)} chapters")

    monkeypatch.setattr(loading, "read_book", read_book)
    loaded = loading.load(root, None, configured)
    assert events == ["told of 2 chapters", "chapters read"]
    assert loaded.report.has_errors  # [^x] is never defined
