"""Safe YAML parsing and atomic writing: hostile input and failed writes are clear errors."""

from pathlib import Path

import pytest

from detente.errors import InputError
from detente.io.yamlio import atomic_write, atomic_write_text, dump_yaml, parse_yaml


def test_line_map_points_at_keys_and_items() -> None:
    data, lines = parse_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n", "f.yaml")
    assert data == {"a": 1, "b": ["x", {"c": 2}]}
    assert (lines.line(("a",)), lines.line(("b", 1, "c")), lines.line(("b", 1, "zz"))) == (1, 4, 4)


def test_aliases_are_refused_before_they_can_expand() -> None:
    # Eight levels of ten aliases each would expand to 10**8 items.
    text = "a0: &a0 [x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
    )
    with pytest.raises(InputError, match=r"f.yaml:2: aliases \(\*a0\) are not supported"):
        parse_yaml(text, "f.yaml")


def test_duplicate_keys_and_deep_nesting_are_errors() -> None:
    with pytest.raises(InputError, match=r"f.yaml:3: malformed YAML: duplicate key 'name'"):
        parse_yaml("name: a\nx: 1\nname: b\n", "f.yaml")
    with pytest.raises(InputError, match="nested too deeply"):
        parse_yaml("[" * 5000 + "]" * 5000, "f.yaml")


def test_a_failed_write_leaves_the_old_file_and_no_new_folders(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("renderer broke")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    deep = tmp_path / "a" / "b" / "out.txt"
    with pytest.raises(RuntimeError):
        atomic_write(deep, fail)
    assert not (tmp_path / "a").exists()


def test_an_os_error_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "report.html"
    folder.mkdir()
    with pytest.raises(InputError, match=r"report.html: cannot write: Is a directory"):
        atomic_write_text(folder, "x")
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_control_characters_are_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"f.yaml:1: malformed YAML: character #x001f is not allowed"):
        parse_yaml("a: b\x1f\n", "f.yaml")


def test_dumped_yaml_reads_back_even_when_values_repeat() -> None:
    shared = [{"note": "assumption: the same evidence twice"}]
    data = {"a": {"evidence": shared}, "b": {"evidence": shared}}
    text = dump_yaml(data)
    assert "&" not in text and "*" not in text
    assert parse_yaml(text, "f.yaml")[0] == data
