"""The shape of the library, pinned: no import cycle, no private name used across modules, ruff clean (line
length and complexity included). A newcomer can then trust that a module's private names are its own."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib" / "juesuan"


def _modules() -> dict[str, Path]:
    out = {}
    for f in LIB.rglob("*.py"):
        parts = list(f.relative_to(LIB.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _target(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom names."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if not node.level:
        return node.module or ""
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(all_levels: bool) -> dict[str, set[str]]:
    """module → the juesuan modules it imports (top level only, or in functions too)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree) if all_levels else tree.body:
            if not isinstance(node, ast.ImportFrom):
                continue
            target = _target(m, f, node)
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods]
            for dep in subs if len(subs) == len(node.names) else [target, *subs]:
                if dep in mods and dep != m and not m.startswith(dep + "."):  # a package's own __init__ is no cycle
                    graph[m].add(dep)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    """Not even through an import inside a function: a cycle means two modules own one job."""
    assert _cycles(_imports(all_levels=True)) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_name_imported_across_modules():
    mods = _modules()
    found = []
    for m, f in mods.items():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and _target(m, f, node).startswith("juesuan"):
                found += [f"{m}: {a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []


def test_ruff_clean_with_line_length_and_complexity():
    """`ruff check lib` with the project's rules, E501 (line length) and C901 (complexity) among them (ruff is a
    dev dependency: its absence fails here)."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    done = subprocess.run([ruff, "check", "--output-format", "concise", str(LIB)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
