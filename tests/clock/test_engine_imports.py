"""The clock engine imports nothing from detente but detente.errors and its own modules, and no
heavy library (scipy, matplotlib, pandas) at module level."""

from __future__ import annotations

import ast
from pathlib import Path

import detente.clock

ENGINE = Path(detente.clock.__file__).parent
HEAVY = {"scipy", "matplotlib", "pandas", "dask", "networkx"}


def test_engine_imports_only_errors_and_itself() -> None:
    for path in ENGINE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only: lazy imports inside functions are allowed
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in HEAVY, (path.name, name)
                if root == "detente":
                    assert name == "detente.errors" or name.startswith("detente.clock"), (path.name, name)
