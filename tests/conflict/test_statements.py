"""Option-prioritisation statements: parsing and truth tables worked by hand."""

import numpy as np
import pytest

from detente.io import statements as st

OPTIONS = {"a": 0, "b": 1, "c": 2}
CODES = np.arange(8, dtype=np.int64)  # bit 0 = a, bit 1 = b, bit 2 = c


def truth(text: str) -> list[int]:
    return [int(code) for code in CODES[st.evaluate(st.parse(text, OPTIONS), CODES, OPTIONS)]]


def test_literals_and_negation() -> None:
    assert truth("a") == [1, 3, 5, 7]
    assert truth("-a") == [0, 2, 4, 6]
    assert truth("not not a") == truth("a")


def test_and_binds_tighter_than_or() -> None:
    # a | (b & c): a, or both b and c
    assert truth("a | b & c") == [1, 3, 5, 6, 7]
    assert truth("(a | b) & c") == [5, 6, 7]


def test_if_is_implication_from_right_to_left() -> None:
    # "a if b" is false only when b holds and a does not: codes with b=1, a=0 are 2 and 6.
    assert truth("a if b") == [0, 1, 3, 4, 5, 7]
    assert truth("a iff b") == [0, 3, 4, 7]


def test_keywords_and_symbols_agree() -> None:
    assert truth("a and not b or c") == truth("a & -b | c")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a & d", "unknown option 'd'"),
        ("a &", "ends too early"),
        ("(a | b", "missing"),
        ("a b", "unexpected 'b'"),
        ("", "empty"),
        ("a $ b", "unexpected character"),
    ],
)
def test_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(st.StatementError, match=message):
        st.parse(text, OPTIONS)


def test_render_round_trips() -> None:
    expr = st.parse("-(a | b) if c", OPTIONS)
    assert st.parse(st.render(expr), OPTIONS) == expr
    assert st.options_in(expr) == {"a", "b", "c"}
