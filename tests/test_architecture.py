"""The shape of the code, checked: no import circles among stafett's modules, no
module reaching into another's private names, and modules and functions small
enough to read whole. Imports inside functions count; TYPE_CHECKING ones do not."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "stafett"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 40


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(p): ast.parse(p.read_text("utf-8"), str(p))
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """Nodes inside `if TYPE_CHECKING:` blocks: imports there never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped |= {id(n) for n in ast.walk(child)}
    return skipped


def _imports(name: str, tree: ast.Module, known: set[str]) -> Iterator[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import that runs."""
    skipped = _type_checking_nodes(tree)
    package = name if name in known and _is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [a.name for a in node.names]
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            yield base, [n for n in names if f"{base}.{n}" not in known]
            for sub in submodules:
                yield sub, []


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {
        name: {target for target, _ in _imports(name, tree, known) if target in known}
        - {name, "stafett"}
        for name, tree in modules.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_sees_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles() -> None:
    graph = _graph()
    assert "stafett.transaction" in graph["stafett.log"] | graph["stafett.records"]
    assert _cycles(graph) == []


def test_no_module_imports_another_modules_private_names() -> None:
    modules = _modules()
    known = set(modules)
    private = [
        f"{name} imports {target}.{n}"
        for name, tree in modules.items()
        for target, names in _imports(name, tree, known)
        for n in names
        if target.startswith("stafett") and n.startswith("_") and not n.startswith("__")
    ]
    assert private == []


def test_modules_and_functions_stay_small() -> None:
    long_modules = [
        f"{p.relative_to(PACKAGE.parent)}: {n} lines"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    long_functions = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long_modules == []
    assert long_functions == []


# Each third-party library is imported where its job is, and nowhere else.
OWNERS = {
    "jinja2": ("stafett.render.",),
    "rich": ("stafett.render.",),
    "typer": ("stafett.cli.",),
    "click": ("stafett.cli.",),
    "pyrage": ("stafett.crypto",),
    "ruamel": ("stafett.yamlio",),
    "jsonschema": ("stafett.schema",),
}


def test_each_library_is_imported_by_its_layer_only() -> None:
    modules = _modules()
    known = set(modules)
    strays = sorted(
        f"{name} imports {target}"
        for name, tree in modules.items()
        for target, _ in _imports(name, tree, known)
        if (owner := OWNERS.get(target.split(".")[0])) is not None and not name.startswith(owner)
    )
    assert strays == []


def test_no_dict_literal_names_a_key_twice() -> None:
    """A message catalogue is a dict literal: a key written twice silently keeps the
    last text, so an edit to the first one would change nothing."""
    twice = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [repr(k.value) for k in node.keys if isinstance(k, ast.Constant)]
                twice += [f"{path.name}: {k}" for k in sorted(set(keys)) if keys.count(k) > 1]
    assert twice == []
