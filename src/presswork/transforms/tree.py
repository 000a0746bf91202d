"""Rebuild frozen block trees with some inline nodes replaced.

In: blocks and a function from an inline node to its replacement. Out: new blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from presswork.model import (
    Block,
    Definition,
    DefinitionList,
    Heading,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Summary,
    Table,
    Wrapper,
    walk_block_tree,
    walk_inlines,
)

InlineMap = Callable[[Inline], Inline]


def map_inlines(children: tuple[Inline, ...], fn: InlineMap) -> tuple[Inline, ...]:
    result: list[Inline] = []
    for child in children:
        if isinstance(child, Wrapper):
            child = replace(child, children=map_inlines(child.children, fn))
        result.append(fn(child))
    return tuple(result)


def map_leaves(
    blocks: tuple[Block, ...], fn: Callable[[Block], tuple[Block, ...]]
) -> tuple[Block, ...]:
    """Rebuild ``blocks``, replacing each block that holds no other blocks (a paragraph,
    heading, figure…) with what ``fn`` returns for it, at any depth of quotes, summaries
    and lists, the cells of tables and the terms of definition lists (each stays one
    paragraph), and definitions, in reading order."""
    result: list[Block] = []
    for block in blocks:
        if isinstance(block, Quote | Summary):
            result.append(replace(block, children=map_leaves(block.children, fn)))
        elif isinstance(block, ListBlock):
            items = tuple(map_leaves(item, fn) for item in block.items)
            result.append(replace(block, items=items))
        elif isinstance(block, Table):
            # A cell stays one paragraph; then the table itself, as a leaf.
            cells = tuple(_one_paragraph(fn(cell)) for cell in block.cells())
            result.extend(fn(block.with_cells(cells)))
        elif isinstance(block, DefinitionList):
            entries = tuple(
                Definition(
                    _one_paragraph(fn(item.term)),
                    tuple(map_leaves(definition, fn) for definition in item.definitions),
                )
                for item in block.items
            )
            result.append(replace(block, items=entries))
        else:
            result.extend(fn(block))
    return tuple(result)


def _one_paragraph(blocks: tuple[Block, ...]) -> Paragraph:
    (paragraph,) = (b for b in blocks if isinstance(b, Paragraph))
    return paragraph


def map_blocks(blocks: tuple[Block, ...], fn: InlineMap) -> tuple[Block, ...]:
    """Rebuild ``blocks`` with ``fn`` applied to every inline node."""

    def leaf(block: Block) -> tuple[Block, ...]:
        if isinstance(block, Paragraph | Heading):
            return (replace(block, children=map_inlines(block.children, fn)),)
        return (block,)

    return map_leaves(blocks, leaf)


def walk_blocks(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node of ``blocks``, in reading order."""
    for block in walk_block_tree(blocks):
        if isinstance(block, Paragraph | Heading):
            yield from walk_inlines(block.children)
