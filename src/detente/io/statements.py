"""Option-prioritisation statements: parsing and evaluation over many states at once.

Grammar (Fang, Hipel, Kilgour & Peng 2003, "A decision support system for interactive decision
making", Part I, the option-prioritisation language of GMCR II), loosest binding first::

    expr    := implies (("if" | "iff") implies)*     A if B  == B -> A;   A iff B == A <-> B
    implies := disj
    disj    := conj (("|" | "or") conj)*
    conj    := unary (("&" | "and") unary)*
    unary   := ("-" | "!" | "~" | "not") unary | "(" expr ")" | OPTION

An option literal is true in the states where that option is taken (Y).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]

NAME = r"[A-Za-z_][A-Za-z0-9_.]*"
"""The rule for every name in detente documents: a letter or _ first, then letters, digits, _ and ."""
_TOKEN = re.compile(rf"\s*(?:(?P<op>[()&|!~-])|(?P<word>{NAME}))")
_KEYWORDS = {"and": "&", "or": "|", "not": "-", "if": "if", "iff": "iff"}
KEYWORDS = frozenset(_KEYWORDS)
"""Words of the statement language (matched in any case), so not usable as option names."""


class StatementError(ValueError):
    """A statement that does not parse or names an unknown option."""


@dataclass(frozen=True)
class Lit:
    option: str


@dataclass(frozen=True)
class Not:
    arg: Expr


@dataclass(frozen=True)
class BinOp:
    op: str  # "&", "|", "if", "iff"
    left: Expr
    right: Expr


Expr = Lit | Not | BinOp


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise StatementError(f"unexpected character {text[pos:].strip()[:1]!r} at position {pos + 1}")
        word = m.group("word")
        tokens.append(_KEYWORDS.get(word.lower(), word) if word else m.group("op"))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        raise StatementError("empty statement")
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], options: Mapping[str, int]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.options = options

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise StatementError("statement ends too early")
        self.pos += 1
        return tok

    def expr(self) -> Expr:
        node = self.disj()
        while self.peek() in ("if", "iff"):
            op = self.take()
            node = BinOp(op, node, self.disj())
        return node

    def disj(self) -> Expr:
        node = self.conj()
        while self.peek() == "|":
            self.take()
            node = BinOp("|", node, self.conj())
        return node

    def conj(self) -> Expr:
        node = self.unary()
        while self.peek() == "&":
            self.take()
            node = BinOp("&", node, self.unary())
        return node

    def unary(self) -> Expr:
        tok = self.take()
        if tok in ("-", "!", "~"):
            return Not(self.unary())
        if tok == "(":
            node = self.expr()
            if self.peek() != ")":
                raise StatementError("missing ')'")
            self.take()
            return node
        if tok in (")", "&", "|", "if", "iff"):
            raise StatementError(f"unexpected {tok!r}")
        if tok not in self.options:
            raise StatementError(f"unknown option {tok!r}")
        return Lit(tok)


def parse(text: str, options: Mapping[str, int]) -> Expr:
    """Parse a statement; ``options`` maps each known option name to its bit position."""
    parser = _Parser(_tokenize(text), options)
    node = parser.expr()
    if parser.peek() is not None:
        raise StatementError(f"unexpected {parser.peek()!r} after a complete statement")
    return node


_BINARY: dict[str, Callable[[BoolArray, BoolArray], BoolArray]] = {
    "&": np.logical_and,
    "|": np.logical_or,
    "if": lambda a, b: np.logical_or(a, np.logical_not(b)),
    "iff": lambda a, b: a == b,
}


def evaluate(expr: Expr, codes: npt.NDArray[np.int64], options: Mapping[str, int]) -> BoolArray:
    """Truth value of ``expr`` in each state; ``codes`` holds states as bit masks over the options."""
    if isinstance(expr, Lit):
        return ((codes >> options[expr.option]) & 1).astype(bool)
    if isinstance(expr, Not):
        return np.logical_not(evaluate(expr.arg, codes, options))
    return _BINARY[expr.op](evaluate(expr.left, codes, options), evaluate(expr.right, codes, options))


def options_in(expr: Expr) -> set[str]:
    """The option names a statement mentions."""
    if isinstance(expr, Lit):
        return {expr.option}
    if isinstance(expr, Not):
        return options_in(expr.arg)
    return options_in(expr.left) | options_in(expr.right)


def render(expr: Expr) -> str:
    """A canonical text form, fully parenthesised where needed."""
    if isinstance(expr, Lit):
        return expr.option
    if isinstance(expr, Not):
        inner = render(expr.arg)
        return f"-{inner}" if isinstance(expr.arg, Lit | Not) else f"-({inner})"
    return f"({render(expr.left)} {expr.op} {render(expr.right)})"


def names(text: str) -> set[str]:
    """The option names a statement mentions (the statement language's keywords left out)."""
    return {
        w for m in _TOKEN.finditer(text) if (w := m.group("word")) is not None and w.lower() not in _KEYWORDS
    }
