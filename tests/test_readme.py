"""The README's tables of positions are the records' own (issue 12: every position listed)."""

from __future__ import annotations

import re
from pathlib import Path

from geo.outputs.tables import positions_markdown

ROOT = Path(__file__).resolve().parents[1]


def _block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- positions:start -->\n(.*?)<!-- positions:end -->", text, re.S)
    assert m, "README.md has lost its <!-- positions:start/end --> block"
    return m.group(1)


def test_readme_tables_are_generated_from_the_records(atlas):
    assert _block() == positions_markdown(atlas), (
        "README.md's tables of positions differ from the records: regenerate them with "
        "`python -m geo export --format markdown --out -`"
    )


def test_every_position_is_in_the_readme_with_its_date_party_and_status(atlas):
    rows = {
        m.group(1): line
        for line in _block().splitlines()
        if (m := re.search(r"\| `([a-z0-9-]+)` \|", line))
    }
    positions = [ln for theater in ("korea", "indochina") for ln in atlas.positions(theater)]
    assert len(positions) >= 30
    for ln in positions:
        assert ln.id in rows, ln.id
        row = rows[ln.id]
        assert f"| {ln.date_iso} " in row and f"| {ln.status} |" in row, row
    # the signed lines are there, as agreed
    assert "| agreed | Geneva 1954" in rows["vn-1954-geneva-line"]
    assert "| agreed |" in rows["kr-1953-mdl"]


def test_markdown_cells_cannot_break_the_table():
    from geo.outputs.tables import _md_cell

    assert _md_cell("a | b\n<script>*x*") == "a \\| b \\<script\\>\\*x\\*"
