"""Small tables as plain, escaped HTML: no dataframe widget, no Arrow bundle to download, no
truncated columns; real ``<table>`` markup with a caption and header cells for screen readers.

A table too wide for its column (below about 520 px: a right-hand column on a projector) is
shown row by row, each cell as "column: value" (``ui/assets/tables.css``, a container query on
the wrapper). CSS that changes how cells are displayed can make a browser forget they are table
cells, so the table, its row groups and its cells carry their roles explicitly; the rows stay
``display: table-row`` and keep theirs.
"""

from __future__ import annotations

from collections.abc import Sequence

from ui.styles import css
from ui.text import esc

#: The tables' style sheet (one ``<style>`` element, sent with every table).
TABLE_CSS = css("tables.css")


def html_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    caption: str = "",
    numeric: Sequence[str] = (),
    row_header: bool = False,
) -> str:
    """An escaped table; *numeric* columns are right-aligned; with *row_header* the first
    cell of each row is a header cell (``<th scope="row">``)."""
    head = "".join(f'<th scope="col" role="columnheader">{esc(c)}</th>' for c in columns)
    body = []
    for row in rows:
        cells = []
        for i, (col, value) in enumerate(zip(columns, row, strict=True)):
            text = "" if value is None else esc(value)
            if i == 0 and row_header:
                cells.append(f'<th scope="row" role="rowheader">{text}</th>')
                continue
            cls = ' class="aa-num"' if col in numeric else ""
            label = f' data-label="{esc(col)}"' if str(col).strip() else ""
            cells.append(f'<td role="cell"{cls}{label}>{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'{TABLE_CSS}<div class="aa-table-wrap"><table class="aa-table" role="table">{cap}'
        f'<thead role="rowgroup"><tr>{head}</tr></thead>'
        f'<tbody role="rowgroup">{"".join(body)}</tbody></table></div>'
    )
