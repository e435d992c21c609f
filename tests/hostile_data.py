"""A copy of ``data/`` with template syntax and markup in every text field of every record.

Shared by the template-injection tests of the CLI, the app (AppTest) and chromium. The token
has no spaces, so an evidence phrase keeps its word count and the copy still validates.

Every YAML file of the copy is rewritten (records, the per-theater gazetteers, stories), so a
field added to the records is poisoned as soon as it is named in :data:`TEXT_FIELDS`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

#: Jinja expression, comment and statement (one unclosed: compiling it fails), HTML and a
#: JS template literal. Rendered as a template it would show "42" and lose the rest.
TOKEN = "«{{6*7}}x{#c#}{%raw%}<b>y</b>`${1}`»"
#: What the token must never turn into.
EVALUATED = "42x"
#: A payload that runs Python if compiled by Jinja (it would create the file named).
RCE = "{{cycler.__init__.__globals__.os.system('touch%20PWNED_BY_TEMPLATE')}}"

#: Fields whose values are free text written by people (ids, dates, urls, numbers excluded).
TEXT_FIELDS = frozenset(
    {
        "title",
        "summary",
        "inference",
        "name",
        "spellings",
        "aliases",
        "identification",
        "source",
        "citation",
        "from",
        "to",
        "archive",
        "collection",
        "publisher",
        "translator",
        "id_note",
        "evidence",
        "where",
        "caption",
        "language",
    }
)


def _poison(value: Any, key: str = "") -> Any:
    if key == "geometry":  # recipes name places by id (``river: {from: …, to: …}``)
        return value
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    if key in TEXT_FIELDS and isinstance(value, str) and value.strip():
        if key == "evidence":  # keep the word count: glue the token to the last word
            return value + TOKEN
        return f"{value} {TOKEN} {RCE}"
    return value


def make(dest: Path, source: Path) -> Path:
    """Copy *source* (a data folder) to *dest* with every text field poisoned; return *dest*."""
    shutil.copytree(source, dest)
    for path in sorted(dest.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(
            yaml.safe_dump(_poison(doc), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return dest
