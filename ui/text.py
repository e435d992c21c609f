"""Text into Streamlit safely: markdown escaping, links, code spans, HTML escaping.

Every string from a record, a document, an upload or the URL goes through one of these before
it reaches ``st.markdown`` (which would render emphasis, links, LaTeX, emoji codes) or
``st.html`` (which would render markup).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")
_MD_MARKUP = re.compile(r"([\\`*_\[<>$~|:])")
_MD_BLOCK = re.compile(r"^(\s*\d*)([#>+=.)-])")
#: Characters that reorder or hide text (bidi overrides, zero-width): dropped from names shown.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f]")


def md(text: object) -> str:
    """Escape text for ``st.markdown`` (no emphasis, links, LaTeX, emoji codes or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def md_label(text: object) -> str:
    """Escape text for a heading, button, pill or table cell (all markdown too).

    Only what starts markup (backticks, emphasis, links, HTML, LaTeX, emoji codes, a leading
    list or heading mark) is escaped, so an ordinary title keeps its look.
    """
    out = _MD_MARKUP.sub(r"\\\1", str(text).replace("\n", " "))
    return _MD_BLOCK.sub(r"\1\\\2", out)


def visible(text: object, limit: int = 200) -> str:
    """*text* without control, bidi-override or zero-width characters, at most *limit* long
    (a file name echoed back cannot spoof its extension or hide its length)."""
    clean = _INVISIBLE.sub("", str(text))
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def link(label: str, url: str | None) -> str:
    """A markdown link to an http(s) address; any other address is shown as text.

    The address is percent-encoded where markdown would end it (spaces, parentheses), so
    the link cannot be cut short; *label* must already be escaped.
    """
    url = (url or "").strip()
    if not re.match(r"https?://[^\s]+$", url, flags=re.IGNORECASE):
        return f"{label} ({code(url)})" if url else label
    safe = quote(url, safe=":/?#@!$&'*+,;=%~-._")
    return f"[{label}]({safe})"


def code(text: object) -> str:
    """Show text literally in ``st.markdown`` (ids, file names, problems)."""
    body = visible(text, 400).replace("`", "'").replace("\n", " ")
    return f"`{body}`"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)
