"""The cache store: a record comes back only as it was kept, for its kind and key;
anything else (damaged, moved, of another format or kind) is as if nothing were kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from presswork.cache import FORMAT, Store

KEY = hashlib.sha256(b"a unit").hexdigest()
OTHER = hashlib.sha256(b"another").hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.of(tmp_path / "output")


def test_a_record_comes_back_as_kept(store: Store) -> None:
    assert store.read("unit", KEY) is None
    store.write("unit", KEY, b"the record")
    assert store.read("unit", KEY) == b"the record"
    assert (store.folder.parent / ".presswork-cache" / "unit" / KEY).is_file()
    store.write("unit", KEY, b"")  # empty data is data
    assert store.read("unit", KEY) == b""


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(path.read_bytes()[:-3]),  # truncated
        lambda path: path.write_bytes(path.read_bytes() + b"x"),  # grown
        lambda path: path.write_bytes(path.read_bytes().replace(b"record", b"recorb")),
        lambda path: path.write_bytes(
            path.read_bytes().replace(f" {FORMAT} ".encode(), b" 1 ", 1)
        ),  # another format
        lambda path: path.write_bytes(b"the record"),  # no header
        lambda path: path.write_bytes(b""),
    ],
)
def test_a_damaged_record_is_not_returned(store: Store, damage: object) -> None:
    store.write("unit", KEY, b"the record")
    path = store.folder / "unit" / KEY
    damage(path)  # type: ignore[operator]
    assert store.read("unit", KEY) is None


def test_a_record_moved_to_another_key_or_kind_is_not_returned(store: Store) -> None:
    store.write("unit", KEY, b"the record")
    kept = (store.folder / "unit" / KEY).read_bytes()
    (store.folder / "unit" / OTHER).write_bytes(kept)
    (store.folder / "unit-pdf").mkdir()
    (store.folder / "unit-pdf" / KEY).write_bytes(kept)
    assert store.read("unit", OTHER) is None
    assert store.read("unit-pdf", KEY) is None


def test_only_known_kinds_and_digest_keys_name_a_record(store: Store) -> None:
    for kind, key in (("units", KEY), ("unit", "../../etc/passwd"), ("unit", "short")):
        with pytest.raises(ValueError):
            store.write(kind, key, b"x")
        with pytest.raises(ValueError):
            store.read(kind, key)


def test_keep_only_and_tidy_leave_what_was_used(store: Store) -> None:
    store.write("unit", KEY, b"one")
    store.write("unit", OTHER, b"two")
    store.write("chapter", KEY, b"three")
    store.folder.joinpath("units").mkdir()  # an older format's folder and file
    store.folder.joinpath("coverage.json").write_text("{}")
    store.keep_only("unit", [OTHER])
    store.tidy()
    assert store.read("unit", KEY) is None and store.read("unit", OTHER) == b"two"
    assert store.read("chapter", KEY) == b"three"
    assert sorted(p.name for p in store.folder.iterdir()) == ["chapter", "unit"]


def test_a_cache_that_cannot_be_written_is_no_error_even_for_root(tmp_path: Path) -> None:
    blocker = tmp_path / "output"
    blocker.write_text("a file where the output folder should be")
    store = Store.of(blocker)
    store.write("unit", KEY, b"x")  # nothing raised
    assert store.read("unit", KEY) is None


def test_holds_says_whether_any_record_of_a_kind_is_kept(store: Store) -> None:
    assert not store.holds("unit-pdf")  # no cache folder at all
    store.write("unit", KEY, b"the record")
    assert store.holds("unit") and not store.holds("unit-pdf")
    store.keep_only("unit", [])
    assert not store.holds("unit")
