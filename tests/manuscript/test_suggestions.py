"""What the chapters' problems say when the editor most likely mistyped a name: a note
call names the note it misspells (one never called first), a link the heading id or
chapter it misspells, a front matter key the key. Small manuscripts written by hand;
the expected suggestions are the labels, ids and files those manuscripts define."""

from __future__ import annotations

from pathlib import Path

from presswork.manuscript.load import load

from conftest import write_book


def findings(root: Path, code: str) -> list[tuple[str, int | None, str]]:
    report = load(root).report
    return [(d.path.name, d.line, d.message) for d in report.sorted() if d.code == code and d.path]


def test_a_call_with_no_note_names_the_note_never_called(tmp_path: Path) -> None:
    # [^thinn] is closer to [^thin] than to [^think], but [^thin] has its call.
    chapter = "# A\n\nOne.[^thin] Two.[^thinn]\n\n[^thin]: Called.\n\n[^think]: Never called.\n"
    root = write_book(tmp_path / "book", {"a.md": chapter})
    assert findings(root, "PW301") == [
        ("a.md", 3, "footnote [^thinn] is called but never defined; did you mean [^think]?")
    ]


def test_with_every_note_called_the_closest_label_is_named(tmp_path: Path) -> None:
    chapter = "# A\n\nOne.[^thin] Two.[^thinn]\n\n[^thin]: Called.\n"
    root = write_book(tmp_path / "book", {"a.md": chapter})
    assert findings(root, "PW301") == [
        ("a.md", 3, "footnote [^thinn] is called but never defined; did you mean [^thin]?")
    ]


def test_a_call_like_no_note_suggests_nothing(tmp_path: Path) -> None:
    chapter = "# A\n\nOne.[^zebra]\n\n[^thin]: Never called.\n"
    root = write_book(tmp_path / "book", {"a.md": chapter})
    assert findings(root, "PW301") == [("a.md", 3, "footnote [^zebra] is called but never defined")]


def test_a_link_to_no_heading_names_the_closest_id(tmp_path: Path) -> None:
    chapters = {
        "a.md": "# A\n\nSee [the harvest](#harvst).\n\n## The harvest {#harvest}\n",
        "b.md": "# B\n\nSee [it](a.md#harvst) and [spring](#sprng).\n",
        "c.md": "# C\n\n## Spring sowing {#spring}\n",
    }
    root = write_book(tmp_path / "book", chapters)
    assert findings(root, "PW402") == [
        ("a.md", 3, "link '#harvst': no heading with id 'harvst' in a.md; did you mean #harvest?"),
        (
            "b.md",
            3,
            "link 'a.md#harvst': no heading with id 'harvst' in a.md; did you mean a.md#harvest?",
        ),
        # No such id in b.md itself: the closest of another chapter, with its file.
        ("b.md", 3, "link '#sprng': no heading with id 'sprng' in b.md; did you mean c.md#spring?"),
    ]


def test_a_link_to_no_chapter_names_the_closest_chapter(tmp_path: Path) -> None:
    chapters = {
        "a.md": "# A\n\nSee [spring](sprng.md), [drafts](draft.md) and [it](chapter:sprng).\n",
        "spring.md": "# Spring\n",
        "draft.md": "# Draft\n",  # in the folder, not listed: named as typed
    }
    book = "title: Test Book\nlanguage: en-GB\nchapters:\n  - a.md\n  - spring.md\n"
    root = write_book(tmp_path / "book", chapters, book)
    assert findings(root, "PW401") == [
        (
            "a.md",
            3,
            "link 'sprng.md': sprng.md is not a chapter of this book; did you mean spring.md?",
        ),
        ("a.md", 3, "link 'draft.md': draft.md is not a chapter of this book"),
    ]
    assert findings(root, "PW408") == [
        (
            "a.md",
            3,
            "'sprng' is not a chapter of this book: the reference is set as text; "
            "did you mean chapter:spring?",
        )
    ]


def test_an_unknown_front_matter_key_names_the_key(tmp_path: Path) -> None:
    chapter = "---\nrunnig_head: Short\n---\n# A\n"
    root = write_book(tmp_path / "book", {"a.md": chapter})
    assert findings(root, "PW104") == [
        (
            "a.md",
            2,
            """unknown front matter key 'runnig_head' (ignored); did you mean "running_head"?""",
        )
    ]
