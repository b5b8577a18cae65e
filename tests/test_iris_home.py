"""IRIs have one home, ``converter/iris.py`` (issue 20, item 2): no other module under ``converter/``
or ``endpoint/`` builds a data IRI (``{BASE}/id/…``) or a document URL (``{BASE}/doc/…``) by hand.

The rule, applied to each module's syntax tree (so comments never count), docstrings and other bare
string statements skipped. An IRI is built by hand when the path segment ``/id/`` or ``/doc/``
(the segment: ``/id`` followed by ``/`` or by the end of the text) comes

1. right after something computed, that is after a base:

   - in an f-string, a literal part that starts with the segment after a ``{…}``:
     ``f"{base}/id/agency/{key}"``;
   - in a ``+`` (or ``+=``), an operand that starts with the segment after another operand:
     ``base.rstrip("/") + "/id/"``, ``base + f"/id/{path}"``;
   - in a ``%`` or ``str.format`` template, a placeholder followed by the segment:
     ``"%s/id/" % base``, ``"{}/id/{}".format(base, path)``;
   - in a ``str.join``, an item that starts with the segment (separator included) after another
     item: ``"".join([base, "/id/", path])``, ``"/".join([base, "id", path])``;

2. or after a base written out: ``http://`` or ``https://``, then anything, then the segment, in any
   string literal: ``"http://localhost:8000/id/report/example/2020"``.

What passes, because it is not an IRI: route declarations (``"/id/{path:path}"``: nothing comes
before ``/id/``), links relative to the server (``f"/doc/{stem}"``, ``f"</doc/agency/{key}>"``),
messages that name a path after words (``f"{store} was loaded for {base}: every /id/ would 404"``:
the segment follows literal text, not a base), parsing (``"/id/" in iri``, ``iri.split("/id/")``),
docstrings and comments. Not caught: an IRI assembled across statements, where the segment never
stands next to a base in one expression (``segment = "/id/"``, then ``base + segment``); the rule is
a tripwire for the usual forms, not a proof.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("converter", "endpoint")
HOME = Path("converter/iris.py")

_SEGMENT = re.compile(r"/(?:id|doc)(?:/|$)")
_STARTS_WITH_SEGMENT = re.compile(r"^/(?:id|doc)(?:/|$)")
_WRITTEN_BASE = re.compile(r"https?://\S*?/(?:id|doc)(?:/|$|[\s\"'<>])")
# a %-placeholder (%s, %(base)s, %-10r, …) or a {}-placeholder ({}, {0}, {base}, {base!s:>10})
_PLACEHOLDER_THEN_SEGMENT = re.compile(r"(?:%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sra]|\{[^{}]*\})/(?:id|doc)(?:/|$)")


def hand_built_iris(source: str, filename: str = "<source>") -> list[str]:
    """Where ``source`` builds an ``/id/`` or ``/doc/`` IRI by hand (the module's rule), as
    ``filename:line: the code`` lines."""
    tree = ast.parse(source, filename)
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    found: dict[int, str] = {}
    for node in ast.walk(tree):
        if id(node) not in bare and _builds_iri(node):
            segment = ast.get_source_segment(source, node) or ""
            found.setdefault(node.lineno, f"{filename}:{node.lineno}: {' '.join(segment.split())}")
    return [found[line] for line in sorted(found)]


def _builds_iri(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _WRITTEN_BASE.search(node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_STARTS_WITH_SEGMENT.match(_text(part)) for part in node.values[1:])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return any(_STARTS_WITH_SEGMENT.match(_text(operand)) for operand in _operands(node)[1:])
    if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
        return _STARTS_WITH_SEGMENT.match(_text(node.value)) is not None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _PLACEHOLDER_THEN_SEGMENT.search(_text(node.left)) is not None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        template = node.func.value
        if node.func.attr == "format" and isinstance(template, ast.Constant):
            return _PLACEHOLDER_THEN_SEGMENT.search(_text(template)) is not None
        if node.func.attr == "join" and isinstance(template, ast.Constant) and node.args:
            items = node.args[0]
            if isinstance(items, (ast.List, ast.Tuple)):
                separator = _text(template)
                return any(_STARTS_WITH_SEGMENT.match(separator + _text(item)) for item in items.elts[1:])
    return False


def _text(node: ast.AST) -> str:
    """The literal text a string expression starts with ("" if it starts with something computed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _text(node.values[0])
    return ""


def _operands(node: ast.BinOp) -> list[ast.expr]:
    """The operands of a chain of ``+``, left to right."""
    left = (
        _operands(node.left) if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Add) else [node.left]
    )
    return [*left, node.right]


def scan(root: Path, packages: tuple[str, ...] = SCANNED, home: Path = HOME) -> Iterator[str]:
    """The hand-built IRIs of every module of ``packages`` under ``root`` but ``home``."""
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if relative != home:
                yield from hand_built_iris(path.read_text(encoding="utf-8"), str(relative))


def test_no_module_but_converter_iris_builds_an_iri_by_hand() -> None:
    modules = [p for package in SCANNED for p in (ROOT / package).rglob("*.py")]
    assert len(modules) > 50, "the scan must see the converter's and the endpoint's modules"
    found = list(scan(ROOT))
    assert not found, "build these IRIs with converter.iris (its functions, or a new one there):\n" + "\n".join(found)


# The checker itself, on source code: each line below builds an IRI by hand and must be caught.
HAND_BUILT = [
    'iri = f"{settings.base_url}/id/agency/{key}"',
    "iri = f\"{base_url.rstrip('/')}/id/dataset/aggregates\"",
    'graph = NamedNode(f"{base}/id/checks")',
    'doc = f"{base}/doc/report/{key}/{year}"',
    'prefix = f"{base}/id"',
    'prefix = base_url.rstrip("/") + "/id/"',
    'template = base + "/id/dataset/{table}"',
    'iri = base + f"/id/report/{key}/{year}"',
    'iri = "http://x" + "/id/" + path',
    'iri += "/id/report"',
    'iri = "%s/id/agency/%s" % (base, key)',
    'iri = "%(base)s/id/agency/%(key)s" % {"base": base, "key": key}',
    'iri = "{}/id/agency/{}".format(base, key)',
    'iri = "{base}/id/agency/{key}".format(base=base, key=key)',
    'iri = "".join([base, "/id/", path])',
    'iri = "/".join((base, "id", "agency", key))',
    'report = report or "http://localhost:8000/id/report/example/2020"',
    'iri = f"https://data.example.org/id/agency/{key}"',
    'query = "SELECT * WHERE { <http://localhost:8000/id/agency/x> ?p ?o }"',
]

# ... and each of these is not an IRI built by hand and must pass.
NOT_IRIS = [
    'router.add_route("/id/{path:path}", see_other, methods=["GET", "HEAD"])',
    '@router.api_route("/code/{path:path}")\ndef code() -> None: ...',
    'return RedirectResponse(f"/doc/{quote(path)}", status_code=303)',
    'href = f"/doc/agency/{key}"',
    "link = f'</doc/report/{key}/{year}>; rel=\"alternate\"'",
    'message = f"{store} was loaded for {recorded}, not {served}: every /id/ and /doc/ would answer 404"',
    'raise NotFound(f"the figures are charted on /doc/agency/{key}")',
    'found = "/id/" in iri',
    'path = iri.split("/id/", 1)[1]',
    'base = iri.partition("/id/report/")[0]',
    'doc = "/doc/" + path',
    'iri = f"{base}/identity/{key}"',
    'url = f"{base}/dumps/{name}"',
    "iri = str(iris.agency_iri(settings.base_url, key))",
    'def f() -> None:\n    """``{BASE}/id/agency/{key}``, e.g. ``http://localhost:8000/id/agency/x``."""',
    '"""A module about ``http://localhost:8000/id/report/x/2020``."""',
    '# iri = f"{base}/id/agency/{key}"\nx = 1',
    'CODE_BASE = "https://w3id.org/gongkai/code/"',
]


@pytest.mark.parametrize("line", HAND_BUILT)
def test_the_checker_catches_an_iri_built_by_hand(line: str) -> None:
    found = hand_built_iris(line, "example.py")
    assert len(found) == 1 and found[0].startswith("example.py:1: "), found


@pytest.mark.parametrize("source", NOT_IRIS)
def test_the_checker_lets_routes_links_messages_and_docstrings_pass(source: str) -> None:
    assert hand_built_iris(source) == []


def test_the_scan_fails_on_a_module_that_builds_an_iri_by_hand(tmp_path: Path) -> None:
    """The scan of the tree, not only the checker: a module added under endpoint/ that mints an
    IRI is named with its line; converter/iris.py itself, which does, is not."""
    for package in SCANNED:
        (tmp_path / package).mkdir()
    (tmp_path / "converter" / "iris.py").write_text(
        'def agency_iri(base, key):\n    return f"{base}/id/agency/{key}"\n'
    )
    (tmp_path / "endpoint" / "routes.py").write_text(
        'def page(settings, key):\n    """The page of ``{BASE}/id/agency/{key}``."""\n'
        '    return render(f"{settings.base_url}/id/agency/{key}")\n'
    )
    assert list(scan(tmp_path)) == ['endpoint/routes.py:3: f"{settings.base_url}/id/agency/{key}"']


def test_converter_iris_imports_neither_rdflib_nor_pypinyin() -> None:
    """``endpoint.load`` and ``endpoint.tidy`` mint with converter.iris, and ``gongkai load`` and
    ``gongkai dump`` must start without rdflib or pypinyin (tests/endpoint/test_load.py)."""
    import subprocess
    import sys

    code = "import sys, converter.iris; print(sorted(m for m in ('rdflib', 'pypinyin') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
