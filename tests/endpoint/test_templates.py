"""The templates have one translation mechanism and one base (issue 20, item 5).

Interface text is an inline pair, ``L('中文', 'English')``, beside its markup (``endpoint/render/
html.py`` says why); the older key table (``t('key')`` over a dict of pairs in routes/pages.py)
must not come back beside it. Every page extends ``base.html``; the ``_*.html`` files hold macros.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from jinja2 import nodes

from endpoint.render.html import environment, in_language

TEMPLATES = Path(__file__).resolve().parents[2] / "endpoint" / "templates"
NAMES = sorted(p.name for p in TEMPLATES.glob("*.html"))
PAGES = [n for n in NAMES if not n.startswith("_") and n != "base.html"]


def parsed(name: str) -> nodes.Template:
    return environment().parse((TEMPLATES / name).read_text(encoding="utf-8"), name)


def calls_to(tree: nodes.Node, function: str) -> list[nodes.Call]:
    return [c for c in tree.find_all(nodes.Call) if isinstance(c.node, nodes.Name) and c.node.name == function]


def test_the_tree_has_the_templates_the_pages_render() -> None:
    assert {"base.html", "report.html", "home.html", "agencies.html", "_macros.html", "_listing.html"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_interface_text_is_an_inline_pair(name: str) -> None:
    tree = parsed(name)
    assert calls_to(tree, "t") == [], f"{name}: write L('中文', 'English') where the text is shown, not t('key')"
    for call in calls_to(tree, "L"):
        assert len(call.args) == 2 and not call.kwargs, f"{name}:{call.lineno}: L takes the text in zh and in en"
        assert all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in call.args), (
            f"{name}:{call.lineno}: L's arguments are the text itself (string literals), not keys or variables"
        )
    own = [m.name for m in tree.find_all(nodes.Macro)] + [
        t.name for a in tree.find_all(nodes.Assign) for t in a.target.find_all(nodes.Name)
    ]
    assert not {"L", "t"} & set(own), f"{name} defines its own L or t; L is the environment's"


@pytest.mark.parametrize("name", NAMES)
def test_macros_that_speak_are_imported_with_the_pages_language(name: str) -> None:
    """``L`` reads ``lang`` from the context it runs in: a macro file that uses it must be
    imported ``with context``, or its text would be rendered without the page's language."""
    for imp in parsed(name).find_all(nodes.FromImport):
        assert isinstance(imp.template, nodes.Const)
        if calls_to(parsed(imp.template.value), "L"):
            assert imp.with_context, f"{name}: import {imp.template.value} with context (it uses L)"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_extends_the_one_base(name: str) -> None:
    extends = list(parsed(name).find_all(nodes.Extends))
    assert len(extends) == 1 and isinstance(extends[0].template, nodes.Const)
    assert extends[0].template.value == "base.html"
    assert "<html" not in (TEMPLATES / name).read_text(encoding="utf-8")


def test_only_the_base_is_a_whole_document() -> None:
    whole = [n for n in NAMES if "<!doctype html>" in (TEMPLATES / n).read_text(encoding="utf-8").lower()]
    assert whole == ["base.html"]
    assert not [n for n in NAMES if n.startswith("_") and list(parsed(n).find_all(nodes.Extends))]


def test_python_has_no_key_table_either() -> None:
    """Titles chosen in Python use ``in_language``; no module keeps a table of (zh, en) by key."""
    endpoint = TEMPLATES.parent
    for path in sorted(endpoint.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
        assert not {"TEXT", "translator"} & names, f"{path.relative_to(endpoint.parent)}: use in_language(lang, zh, en)"
    assert (in_language("en", "机关", "Agencies"), in_language("zh", "机关", "Agencies")) == ("Agencies", "机关")


def test_a_page_rendered_without_a_language_fails() -> None:
    """``L`` needs the page's ``lang``; a page without one is an error, not silently Chinese."""
    template = environment().from_string("<p>{{ L('机关', 'Agencies') }}</p>")
    assert template.render(lang="en") == "<p>Agencies</p>"
    assert template.render(lang="zh") == "<p>机关</p>"
    with pytest.raises(KeyError):
        template.render()
