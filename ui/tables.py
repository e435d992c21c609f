"""Small tables as plain, escaped HTML: no dataframe widget, no Arrow bundle to download, no
truncated columns; real ``<table>`` markup with a caption and header cells for screen readers."""

from __future__ import annotations

from collections.abc import Sequence

from ui.text import esc

TABLE_CSS = """<style>
table.aa-table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.2rem 0 .6rem}
table.aa-table caption{text-align:left;font-weight:600;padding:.2rem 0;color:#222}
table.aa-table th,table.aa-table td{border-bottom:1px solid #ddd;padding:.3rem .45rem;
  text-align:left;vertical-align:top;color:#111}
table.aa-table th{background:#f3f3f3;font-weight:600}
table.aa-table td.aa-num{text-align:right;white-space:nowrap}
</style>"""


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
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    body = []
    for row in rows:
        cells = []
        for i, (col, value) in enumerate(zip(columns, row, strict=True)):
            text = "" if value is None else esc(value)
            if i == 0 and row_header:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cls = ' class="aa-num"' if col in numeric else ""
                cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'{TABLE_CSS}<table class="aa-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
