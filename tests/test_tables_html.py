"""The app's small HTML tables (ui/tables.py): escaped, with header cells and explicit roles,
and a wrapper whose container query shows each row as "column: value" lines when narrow."""

from __future__ import annotations

import re

from ui.tables import TABLE_CSS, html_table

HOSTILE = '<img src=x onerror="alert(1)">&amp; "quoted"'


def test_cells_and_headers_are_escaped() -> None:
    out = html_table([HOSTILE, "B"], [[HOSTILE, None]], caption=HOSTILE, row_header=True)
    assert "<img" not in out and 'onerror="' not in out
    assert (
        out.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;amp; &quot;quoted&quot;") == 3
    )
    assert '<td role="cell" data-label="B"></td>' in out  # None is an empty cell


def test_column_names_label_the_cells_in_an_escaped_attribute() -> None:
    out = html_table(["Place", 'with "A"'], [["Hue", "north"]])
    assert '<td role="cell" data-label="with &quot;A&quot;">north</td>' in out
    assert '<td role="cell" data-label="Place">Hue</td>' in out


def test_roles_are_explicit_and_rows_stay_plain_table_rows() -> None:
    out = html_table(["", "A", "B"], [["Date", "1954-06-26", "1954-07-20"]], row_header=True)
    assert '<div class="aa-table-wrap"><table class="aa-table" role="table">' in out
    assert out.count('role="rowgroup"') == 2
    assert out.count('<th scope="col" role="columnheader">') == 3
    assert '<th scope="row" role="rowheader">Date</th>' in out
    # rows keep their native role (their display is not changed), and no other attributes
    assert re.findall(r"<tr[^>]*>", out) == ["<tr>", "<tr>"]
    assert 'data-label=""' not in out  # an unnamed column labels nothing


def test_numeric_columns_and_the_container_query() -> None:
    out = html_table(["Name", "Size"], [["x", "1,234 km"]], numeric=("Size",))
    assert '<td role="cell" class="aa-num" data-label="Size">1,234 km</td>' in out
    assert out.startswith(TABLE_CSS)
    assert "container:aa-table/inline-size" in TABLE_CSS
    assert "@container aa-table (max-width:520px)" in TABLE_CSS
    assert "attr(data-label)" in TABLE_CSS
