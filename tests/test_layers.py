"""The package's layers only look down, and no module imports itself round a cycle.

inputs → rules → derive → measures → present → run. ``registry`` and ``kit_files`` (and the
package's ``__init__``) are the floor every layer may read; ``synth`` (the synthetic LA) reads
only ``inputs``, and only ``run`` may call it. A lower layer importing a higher one fails here,
naming the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "diagnostic_kit"
LAYERS = ["inputs", "rules", "derive", "measures", "present", "run"]
FLOOR = {"registry", "kit_files", "__init__"}
#: The command's entry point sits above every layer.
TOP = {"__main__"}


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every diagnostic_kit module the file imports (at any depth, also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module(path)
    found = set()
    # Imports for type hints only (under ``if TYPE_CHECKING:``) are not dependencies.
    hints = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
             and getattr(node.test, "id", "") == "TYPE_CHECKING"
             for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in hints:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("diagnostic_kit")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                pkg = me.split(".")[: -node.level] if path.name != "__init__.py" else \
                    me.split(".")[: len(me.split(".")) - node.level + 1]
                base = ".".join([*pkg, base] if base else pkg)
            if not base.startswith("diagnostic_kit"):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.add(sub if (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py")
                          .exists() or (PACKAGE.parent / sub.replace(".", "/")).is_dir()
                          else base)
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _rank(layer: str) -> int:
    if layer in FLOOR:
        return -1
    if layer == "synth":
        return LAYERS.index("inputs") + 0.5
    return LAYERS.index(layer)


FILES = sorted(p for p in PACKAGE.rglob("*.py") if "_bundle" not in p.parts)


def test_every_module_belongs_to_a_layer():
    stray = [p.name for p in PACKAGE.glob("*.py") if p.stem not in FLOOR | TOP]
    assert not stray, f"modules outside the layer folders: {stray}"
    assert not list(PACKAGE.rglob("utils*.py")), "no module called utils"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_look_down(path):
    mine = _layer(_module(path))
    for target in _imports(path):
        theirs = _layer(target)
        if theirs == mine or theirs in FLOOR or mine in TOP:
            continue
        if mine in FLOOR:
            pytest.fail(f"{path.name} (the floor) imports {target}")
        if theirs == "synth":
            assert mine == "run", f"{path.relative_to(PACKAGE)} imports {target}: only run/ " \
                                  "may call the synthetic LA"
            continue
        assert _rank(theirs) < _rank(mine), (
            f"{path.relative_to(PACKAGE)} ({mine}) imports {target} ({theirs}): "
            f"a layer may only import the layers below it ({' → '.join(LAYERS)})")


def test_no_import_cycles():
    graph = {_module(p): {t for t in _imports(p) if t != _module(p)} for p in FILES}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if seen.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)


def test_the_checker_catches_an_upward_import(tmp_path):
    bad = PACKAGE / "inputs" / "_probe_upward.py"
    bad.write_text("from diagnostic_kit.measures import timescales\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match="may only import the layers below"):
            test_imports_only_look_down(bad)
    finally:
        bad.unlink()
