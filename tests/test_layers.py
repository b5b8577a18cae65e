"""The layers of the code, read from its imports (every ``import``, also one inside a function):

- the converter never imports the publishing side (``endpoint``);
- a route module (``endpoint/routes/*.py``) never imports another one: what routes share lives in
  a module of its own (``endpoint/render/site.py``, ``endpoint/page_data.py``), and only
  ``endpoint/app.py`` puts the routes together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROUTES = REPO / "endpoint" / "routes"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in ``source``, a module of ``package``: relative imports
    resolved, and ``from a import b`` counted as ``a`` and as ``a.b`` (``b`` may be a module)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def offences(paths: list[Path], forbidden: str) -> list[str]:
    """``file:line imports module`` for each import of ``forbidden`` or a module below it (the
    package ``forbidden`` itself, e.g. for its ``__init__``, is not an offence)."""
    found = []
    for path in paths:
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for line, imported in imports(path.read_text(encoding="utf-8"), package):
            if imported.startswith(forbidden + ".") and imported != name:
                found.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    return sorted(set(found))


def test_the_converter_never_imports_the_endpoint() -> None:
    converter = sorted((REPO / "converter").rglob("*.py"))
    assert converter
    assert offences(converter, "endpoint") == []


def test_a_route_module_never_imports_another_route_module() -> None:
    routes = sorted(ROUTES.glob("*.py"))
    assert {"pages.py", "resources.py", "meta.py", "figures.py"} <= {p.name for p in routes}
    assert offences(routes, "endpoint.routes") == [], "move what they share to a module outside endpoint/routes"


def test_only_the_app_puts_the_routes_together() -> None:
    others = [p for p in sorted((REPO / "endpoint").rglob("*.py")) if ROUTES not in p.parents and p.name != "app.py"]
    assert offences(others, "endpoint.routes") == []


def test_every_spelling_of_an_import_is_seen() -> None:
    source = (
        "from endpoint.routes.pages import x\n"
        "from endpoint.routes import meta\n"
        "from . import resources\n"
        "from .figures import y\n"
        "def f():\n"
        "    import endpoint.routes.sparql\n"
    )
    seen = {name for _, name in imports(source, "endpoint.routes")}
    for route in ("pages", "meta", "resources", "figures", "sparql"):
        assert f"endpoint.routes.{route}" in seen
