"""The code's shape: small functions and classes, and modules that import one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "histmap"
MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 300


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


MODULES = _modules()


def _too_long(tree: ast.Module) -> list[str]:
    long = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            lines = node.end_lineno - node.lineno + 1
            limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
            if lines > limit:
                long.append(f"{node.name}: {lines} lines (at most {limit})")
    return long


@pytest.mark.parametrize("module", sorted(MODULES))
def test_functions_and_classes_are_small(module):
    assert _too_long(MODULES[module]) == []


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:`` (not imported at run time)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped |= {id(n) for n in ast.walk(node)}
    return skipped


def _imports(name: str, tree: ast.Module) -> set[str]:
    """The histmap modules ``name`` imports at run time, lazily or not."""
    package = name if (SRC.parent / name.replace(".", "/") / "__init__.py").exists() else ""
    package = package or name.rpartition(".")[0]
    skipped, found = _type_checking_only(tree), set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("histmap")}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("histmap"):
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}
    return {m for m in found if m in MODULES and m != name}


def test_the_modules_import_one_way():
    graph = {name: _imports(name, tree) for name, tree in MODULES.items()}
    # A package's __init__ re-exports its modules: an edge into a package is one into them.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue  # a package importing its own modules
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            assert cycle is None, " -> ".join(cycle)


def test_every_package_is_in_the_wheel():
    """pyproject.toml lists the packages (the maps are mapped in from data/): a new
    folder under src/histmap must be listed, or the wheel would leave it out."""
    import tomllib

    listed = set(
        tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {name for name in MODULES if (SRC.parent / name.replace(".", "/")).is_dir()}
    assert found <= listed and "histmap.maps" in listed


@pytest.mark.parametrize("script", sorted((SRC.parents[1] / "benchmarks").glob("*.py")))
def test_the_benchmark_scripts_start(script):
    # They import histmap's internals: a renamed function must not break them unseen.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-800:]
    assert "usage" in done.stdout
