"""Record text is never compiled as a template on its way into a map (both render paths).

branca compiles a macro's rendered output as Jinja (docs/upstream-branca-template-injection.md):
a title ``{{6*7}}`` showed as ``42``, and ``{{cycler.__init__.__globals__...}}`` ran Python
during ``python -m geo render``. Every text field of every record here carries template
syntax, markup and a code-execution payload; the maps must show it literally.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import hostile_data
from conftest import DATA_DIR, REPO_ROOT
from geo import compat, validate


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_data.make(tmp_path_factory.mktemp("tmpl") / "data", DATA_DIR)


def test_the_poisoned_copy_still_validates(data: Path) -> None:
    assert validate(data) == []


@pytest.mark.parametrize("theater", ["korea", "indochina"])
def test_cli_render_shows_template_syntax_literally(
    data: Path, tmp_path: Path, theater: str
) -> None:
    out = tmp_path / "map.html"
    res = subprocess.run(
        [sys.executable, "-m", "geo", "--data-dir", str(data), "render", "--theater", theater,
         "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    page = out.read_text(encoding="utf-8")
    assert "{{6*7}}x" in page  # shown as written ...
    assert hostile_data.EVALUATED not in page  # ... never evaluated
    assert "{%raw%}" in page  # the unclosed statement did not crash a compile
    assert not (tmp_path / "PWNED_BY_TEMPLATE").exists()
    assert not (REPO_ROOT / "PWNED_BY_TEMPLATE").exists()


def test_the_patch_refuses_untested_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard fails loudly when a patched library moves, rather than patching blind."""
    import branca

    compat.check_versions()  # the installed versions are the tested ones
    monkeypatch.setattr(branca, "__version__", "9.0.0")
    with pytest.raises(compat.IncompatibleLibrary, match=r"branca 9\.0\.0 is untested"):
        compat.check_versions()


def test_the_patched_internals_are_still_there() -> None:
    """Fails when branca/folium rename what the patch relies on (or drop it)."""
    import branca.element
    import folium.map

    compat.check_versions()  # the originals still re-template their output, as patched
    compat.install()
    assert branca.element.MacroElement.render is compat._render_literal
    assert folium.map.Popup.render is compat._popup_render_literal


def test_the_guard_notices_a_moved_internal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(compat._EXPECTED, "folium.map.Popup.render", "something else")
    with pytest.raises(compat.IncompatibleLibrary, match=r"Popup\.render changed"):
        compat.check_versions()
