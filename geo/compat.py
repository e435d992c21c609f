"""Every reach into a third-party library's internals, in one place, each behind a version guard.

branca (under folium) renders a ``MacroElement`` by calling its macros and wrapping each
*output* in a new ``Element(output)``, whose constructor compiles that output as a Jinja
template; the figure then renders it. Any record text inside the output (a title, a tooltip, a
GeoJSON property) is therefore compiled and run as Jinja on the server: ``{{ 7*7 }}`` shows as
``49``, ``{{ cycler.__init__.__globals__... }}`` runs Python, and a stray ``{%`` crashes the
render. See ``docs/upstream-branca-template-injection.md`` for the write-up.

:func:`install` replaces ``MacroElement.render`` with one that keeps macro output as literal
text (a :class:`Literal` element renders its text as it is and compiles nothing). It also
removes the cost of compiling every rendered fragment, which was most of a map draw.
"""

from __future__ import annotations

import inspect
from typing import Any

import branca
import branca.element
import folium
import folium.map
from branca.element import Element, Figure, MacroElement

#: The versions whose rendering code this module was written against.
BRANCA_TESTED = ("0.7", "0.8")
FOLIUM_TESTED = ("0.17", "0.18", "0.19", "0.20")
#: What the replaced methods must still contain: the re-templating this module removes. If a
#: release changes them, the guard refuses to patch and someone reads the new code.
_EXPECTED = {
    "branca.element.MacroElement.render": "Element(header(self, kwargs))",
    "folium.map.Popup.render": "Element(self._template.render(this=self, kwargs=kwargs))",
}


class IncompatibleLibrary(RuntimeError):
    """A patched library changed: the patch must be checked against its new code."""


class Literal(Element):  # type: ignore[misc]
    """Text that goes into the page as it is: never compiled, never rendered as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _render_literal(self: MacroElement, **kwargs: Any) -> None:
    """``MacroElement.render`` as in branca 0.7/0.8, with the macro output kept literal."""
    figure = self.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    module = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            getattr(figure, part).add_child(Literal(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def _popup_render_literal(self: folium.map.Popup, **kwargs: Any) -> None:
    """``folium.map.Popup.render`` as in folium 0.17-0.20, with its output kept literal."""
    for child in self._children.values():
        child.render(**kwargs)
    figure = self.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    text = self._template.render(this=self, kwargs=kwargs)
    figure.script.add_child(Literal(text), name=self.get_name())


_ORIGINALS = {
    "branca.element.MacroElement.render": branca.element.MacroElement.render,
    "folium.map.Popup.render": folium.map.Popup.render,
}


def check_versions() -> None:
    """Refuse to patch a branca or folium whose rendering code we have not read."""
    for lib, tested in ((branca, BRANCA_TESTED), (folium, FOLIUM_TESTED)):
        version = getattr(lib, "__version__", "")
        if not version.startswith(tested):
            raise IncompatibleLibrary(
                f"{lib.__name__} {version} is untested: read branca.element.MacroElement.render "
                "and folium's render methods, then update geo/compat.py (tests/test_compat.py "
                "shows what must hold)"
            )
    for name, expected in _EXPECTED.items():
        if expected not in inspect.getsource(_ORIGINALS[name]):
            raise IncompatibleLibrary(f"{name} changed: it no longer does {expected}")
    for name in ("get_root", "_template", "_children", "get_name"):
        if not hasattr(MacroElement(), name):  # type: ignore[no-untyped-call]
            raise IncompatibleLibrary(f"branca.element.MacroElement has no {name!r} any more")
    for part in ("header", "html", "script"):
        if not hasattr(Figure(), part):  # type: ignore[no-untyped-call]
            raise IncompatibleLibrary(f"branca.element.Figure has no {part!r} any more")


def install() -> None:
    """Apply the patches (idempotent)."""
    if branca.element.MacroElement.render is _render_literal:
        return
    check_versions()
    branca.element.MacroElement.render = _render_literal  # type: ignore[method-assign]
    folium.map.Popup.render = _popup_render_literal  # type: ignore[method-assign]
