"""A renderer-neutral document: sections of paragraphs, tables and figures.

The analysis pipeline builds one :class:`Document`; the terminal renderer prints it with rich and the
HTML renderer writes it as a self-contained page, so both faces always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    terminal: bool = True  # also printed in the terminal summary
    collapsed: bool = False  # folded away in the HTML report until opened
    id: str = ""  # an HTML id, needed for filters
    filters: tuple[tuple[str, str], ...] = ()  # (class, label): HTML filter buttons (no script: CSS :has)
    row_classes: tuple[str, ...] = ()  # per row, space-separated classes the filters select on
    scroll: bool = False  # in the HTML report, a box of limited height that scrolls


@dataclass(frozen=True)
class Figure:
    """An inline SVG figure (kept out of the terminal rendering)."""

    svg: str
    caption: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    terminal: bool = True  # shown in the terminal summary as well as in the HTML report
    details: tuple[str, ...] = ()  # longer explanations, in the HTML report only


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)
