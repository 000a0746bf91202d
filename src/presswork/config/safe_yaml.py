"""Read YAML safely and keep the line of every key.

In: YAML text and the path it came from. Out: a :class:`YamlMapping` of plain values
(str, int, float, bool, None, lists, mappings) whose keys remember their line, or a
:class:`~presswork.errors.ManuscriptError` pointing at the offending line.

Aliases and anchors are refused outright: a manuscript has no use for them, and
refusing them closes the door on "billion laughs" expansion bombs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from presswork.errors import ManuscriptError, diagnostic

MAX_YAML_BYTES = 1_000_000
MAX_YAML_DEPTH = 20


@dataclass(frozen=True)
class YamlValue:
    """A value and its line; for a list, the line of each item too."""

    value: Any
    line: int
    item_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class YamlMapping:
    """A top-level YAML mapping: ``entries`` maps each key to its value and line."""

    path: Path
    entries: dict[str, YamlValue]
    line: int


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                None, None, "aliases are not allowed in a manuscript", event.start_mark
            )
        return super().compose_node(parent, index)


class _Constructor(SafeConstructor):
    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        # A date that is no day (2024-02-30, 2024-13-01) is text, which the key's own
        # check then refuses with an example, rather than an exception out of PyYAML.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    yaml_constructors: ClassVar[dict[str | None, Any]] = {
        **SafeConstructor.yaml_constructors,
        "tag:yaml.org,2002:timestamp": construct_yaml_timestamp,
    }


def _depth_checked(node: Node, path: Path, depth: int = 0) -> None:
    if depth > MAX_YAML_DEPTH:
        raise ManuscriptError(
            diagnostic(
                "PW101",
                f"YAML nested deeper than {MAX_YAML_DEPTH} levels",
                path,
                node.start_mark.line + 1,
            )
        )
    if isinstance(node, SequenceNode):
        for child in node.value:
            _depth_checked(child, path, depth + 1)
    elif isinstance(node, MappingNode):
        for key, child in node.value:
            _depth_checked(key, path, depth + 1)
            _depth_checked(child, path, depth + 1)


def load_mapping(text: str, path: Path, line_offset: int = 0) -> YamlMapping:
    """Parse ``text`` as a YAML mapping; lines are reported ``line_offset`` lines lower."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise ManuscriptError(
            diagnostic("PW101", f"YAML larger than {MAX_YAML_BYTES} bytes", path, 1 + line_offset)
        )
    try:
        loader = _NoAliasLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManuscriptError(
            diagnostic("PW101", f"YAML does not parse: {problem}", path, line, col)
        ) from None
    except yaml.YAMLError as exc:
        raise ManuscriptError(diagnostic("PW101", f"YAML does not parse: {exc}", path)) from None
    if node is None:
        return YamlMapping(path, {}, 1 + line_offset)
    _depth_checked(node, path)
    if not isinstance(node, MappingNode):
        raise ManuscriptError(
            diagnostic(
                "PW103",
                "expected a mapping of keys to values",
                path,
                node.start_mark.line + 1 + line_offset,
            )
        )
    constructor = _Constructor()
    entries: dict[str, YamlValue] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1 + line_offset
        if not isinstance(key_node, ScalarNode):
            raise ManuscriptError(diagnostic("PW103", "a key must be a plain word", path, line))
        key = str(key_node.value)
        if key in entries:
            raise ManuscriptError(
                diagnostic(
                    "PW101",
                    f"key '{key}' appears twice (first on line {entries[key].line})",
                    path,
                    line,
                )
            )
        try:
            value = constructor.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            raise ManuscriptError(
                diagnostic("PW101", f"YAML value does not parse: {exc}", path, line)
            ) from None
        item_lines: tuple[int, ...] = ()
        if isinstance(value_node, SequenceNode):
            item_lines = tuple(n.start_mark.line + 1 + line_offset for n in value_node.value)
        entries[key] = YamlValue(value, line, item_lines)
    return YamlMapping(path, entries, node.start_mark.line + 1 + line_offset)
