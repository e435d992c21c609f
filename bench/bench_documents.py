"""Benchmark: hostile document files, from 160 KB to the 2 MB limit, read, marked and shown.

For each kind of adversarial file and each size the bench writes the file to a temporary
folder and measures, in one run, side by side:

* **read**: ``Path.read_bytes()`` of the file, the yardstick every figure is divided by;
* **parse**: :func:`geo.documents.read_document_file` (size check, decoding, layout parse);
* **mentions**: :func:`geo.documents.find_mentions` with the real atlas's gazetteers
  (``Atlas.name_maps()`` and ``Atlas.parallel_lines()``, every theater: the worst case);
* **display**: :func:`ui.reader.marked_html`, the Documents reader's HTML;
* **total**: parse + mentions + display of the same round: what "import and display" costs.

Each is the min / median / max of :data:`ROUNDS` runs. The target: any 2 MB file imports
and displays in under 2 s (judged on the median total; a ``*`` marks a max above it). The
"scaling" table divides the 2 MB time by the 160 KB time: a linear path gives about 12.5.

A last section probes a path found to be superlinear (ordinal chains not followed by
"parallel"), at sizes small enough to finish.

    python bench/bench_documents.py                 # the tables
    python bench/bench_documents.py --profile places 2MB   # cProfile one file, top 25

Nothing here asserts anything: the tests assert results, the bench prints times.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from geo import Atlas, load_atlas  # noqa: E402
from geo.documents import MAX_BYTES, find_mentions, read_document_file  # noqa: E402
from ui.reader import marked_html  # noqa: E402

DATA = REPO / "data"
ROUNDS = 5
TARGET_S = 2.0
SIZES: dict[str, int] = {
    "160KB": 160_000,
    "320KB": 320_000,
    "1MB": 1_000_000,
    "2MB": MAX_BYTES,
}

# ---------------------------------------------------------------------------------------
# the adversarial files (all text invented here; names come from the atlas's gazetteer)

HEADER = (
    "June 26, 1954 Invented bench memorandum, Test Sender to Cde. Test Receiver\n\n"
    "Citation:\n\n{citation}\n\n"
    "Original Language:\n\nChinese\n\n"
    "Contents:\n\nTranslation - English\n\n"
)
CITATION = (
    '"Invented bench memorandum, Test Sender to Cde. Test Receiver", June 26, 1954, '
    "Wilson Center Digital Archive, BENCH 1-2-3. "
    "https://digitalarchive.umd.edu/document/invented-bench-memorandum-0"
)
PARALLEL_WORDINGS = (
    "between the 18th and the 16th parallels",
    "the 16th and 18th parallels",
    "the seventeenth parallel",
    "parallel 17",
    "17°N",
    "17 degrees north",
    "the thirty-eighth parallel",
    "the 13th, 14th or 15th parallel",
)


def _fill(unit: str, n_bytes: int) -> str:
    """*unit* repeated to at most *n_bytes* of UTF-8, cut at a character."""
    if n_bytes <= 0:
        return ""
    per = len(unit.encode())
    text = unit * (n_bytes // per + 1)
    out = text.encode()[:n_bytes].decode("utf-8", "ignore")
    return out


def _names_unit(atlas: Atlas) -> str:
    """One paragraph naming every place spelling, every line term and every parallel wording."""
    places, terms = atlas.name_maps()
    words = [n for names in places.values() for n in names]
    words += [t for ts in terms.values() for t in ts]
    words += list(PARALLEL_WORDINGS)
    return "The line runs by " + ", then ".join(words) + ".\n\n"


def _document(citation: str, body: str, size: int) -> bytes:
    """A plain-layout document of exactly *size* bytes (the body padded or cut to fit)."""
    head = HEADER.format(citation=citation)
    ending = "\n\nInvented Sender\n"
    room = size - len(head.encode()) - len(ending.encode())
    body = _fill(body, room)
    data = (head + body + ending).encode()
    return data + b" " * (size - len(data))  # a cut multibyte character leaves a gap


def kind_places(atlas: Atlas, size: int) -> bytes:
    return _document(CITATION, _names_unit(atlas), size)


def kind_blank(atlas: Atlas, size: int) -> bytes:
    head = HEADER.format(citation=CITATION)
    tail = "The body after the blank lines names Pleiku and the 16th parallel.\n"
    room = size - len(head.encode()) - len(tail.encode())
    blank = _fill("\n\r\n  \n\t\n", room - 1) + "\n"
    return (head + blank + tail).encode()


def kind_quotes(atlas: Atlas, size: int) -> bytes:
    citation = '"' * (size // 4) + CITATION
    body = '"' * 500 + " Tuy Hoa said \u201c" + "\u201d\u201c" * 200 + "\u201d Haiphong '\"'\n"
    return _document(citation, body, size)


def kind_citation(atlas: Atlas, size: int) -> bytes:
    n = (size * 3 // 4) // 3
    citation = (
        '"Invented bench memorandum' + '", ' * n + "June 26, 1954, Wilson Center Digital Archive, "
        "BENCH 1-2-3. https://digitalarchive.umd.edu/document/invented-bench-memorandum-0"
    )
    body = "The memorandum names Pleiku, Tuy Hoa and the 16th parallel. " * 3 + "\n\n"
    return _document(citation, body, size)


def kind_spaces(atlas: Atlas, size: int) -> bytes:
    body = "Pleiku" + " " * 400 + "the 16th parallel" + " " * 400 + ",;:()" * 40 + "\n"
    return _document(CITATION, body, size)


def kind_mixed(atlas: Atlas, size: int) -> bytes:
    quarter = size // 4
    citation = (
        '"Invented bench memorandum' + '", ' * (quarter // 3) + "June 26, 1954, Wilson Center "
        "Digital Archive, BENCH 1-2-3. "
        "https://digitalarchive.umd.edu/document/invented-bench-memorandum-0"
    )
    body = (
        _fill(_names_unit(atlas), quarter)
        + "\n\n"
        + _fill("\n\r\n  \n", quarter)
        + "\n\n"
        + _fill('"' * 300 + " Pleiku \u201c\u201d" * 20 + "\n", quarter)
    )
    return _document(citation, body, size)


def kind_legacy(atlas: Atlas, size: int) -> bytes:
    """Russian text in cp1251 (charset detection) with the gazetteer's names among it."""
    russian = (REPO / "tests" / "fixtures" / "documents" / "russian_telegram.txt").read_text(
        encoding="utf-8"
    )
    paragraph = russian.split("\n\n", 2)[2].replace("\u2116", "No.")
    names = _names_unit(atlas).encode("cp1251", "replace").decode("cp1251")
    text = _document(CITATION, paragraph + "\n\n" + names, size).decode("utf-8", "replace")
    data = text.encode("cp1251", "replace")
    return data[:size]


KINDS: dict[str, Callable[[Atlas, int], bytes]] = {
    "places": kind_places,
    "blank": kind_blank,
    "quotes": kind_quotes,
    "citation": kind_citation,
    "spaces": kind_spaces,
    "mixed": kind_mixed,
    "legacy": kind_legacy,
}

# ---------------------------------------------------------------------------------------
# measuring


@dataclass
class Row:
    kind: str
    size: str
    n_bytes: int
    mentions: int
    times: dict[str, list[float]]


Gazetteers = tuple[dict[str, list[str]], dict[str, list[str]], dict[int, list[str]]]


def _gazetteers(atlas: Atlas) -> Gazetteers:
    places, terms = atlas.name_maps()
    return places, terms, atlas.parallel_lines()


def _one_round(path: Path, atlas: Atlas, gaz: Gazetteers) -> tuple[dict[str, float], int]:
    places, terms, parallels = gaz
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    path.read_bytes()
    out["read"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    doc, _ = read_document_file(path)
    out["parse"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    mentions = find_mentions(doc.body, places=places, proposals=terms, parallels=parallels)
    out["mentions"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    lines = [m for m in mentions if m.kind == "proposal"]
    spots = [m for m in mentions if m.kind == "place"]
    html = marked_html(doc.body, lines, spots, atlas)
    out["display"] = time.perf_counter() - t0
    assert html  # a body always gives some HTML
    out["total"] = out["parse"] + out["mentions"] + out["display"]
    return out, len(mentions)


def measure(path: Path, atlas: Atlas, gaz: Gazetteers, kind: str, size: str) -> Row:
    times: dict[str, list[float]] = {}
    count = 0
    for _ in range(ROUNDS):
        one, count = _one_round(path, atlas, gaz)
        for key, value in one.items():
            times.setdefault(key, []).append(value)
    return Row(kind, size, path.stat().st_size, count, times)


def _ms(x: float) -> str:
    return f"{x * 1000:.0f}" if x >= 0.01 else f"{x * 1000:.2f}"


def _mmm(values: Sequence[float]) -> str:
    return f"{_ms(min(values))}/{_ms(statistics.median(values))}/{_ms(max(values))}"


def print_table(rows: Sequence[Row]) -> None:
    print(
        f"\nTimes in ms as min/median/max of {ROUNDS} runs; (×N) = median / median of reading "
        "the file's bytes in the same run.\n"
    )
    header = (
        f"{'kind':<9}{'size':>6}{'read':>8}  {'parse':<24}{'mentions':<24}{'display':<22}"
        f"{'total':<26}{'n':>5}  < 2 s"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        yard = statistics.median(r.times["read"])

        def cell(key: str, width: int, r: Row = r, yard: float = yard) -> str:
            med = statistics.median(r.times[key])
            return f"{_mmm(r.times[key])} (×{med / yard:,.0f})".ljust(width)

        med_total = statistics.median(r.times["total"])
        met = "yes" if med_total < TARGET_S else "NO"
        if med_total < TARGET_S <= max(r.times["total"]):
            met += "*"
        print(
            f"{r.kind:<9}{r.size:>6}{_ms(yard):>8}  {cell('parse', 24)}{cell('mentions', 24)}"
            f"{cell('display', 22)}{cell('total', 26)}{r.mentions:>5}  {met}"
        )


def print_scaling(rows: Sequence[Row]) -> None:
    by = {(r.kind, r.size): r for r in rows}
    small, big = "160KB", "2MB"
    factor = SIZES[big] / SIZES[small]
    print(f"\nScaling: median at {big} / median at {small} (linear ≈ {factor:.1f})\n")
    print(f"{'kind':<9}{'parse':>9}{'mentions':>10}{'display':>9}{'total':>9}")
    for kind in KINDS:
        if (kind, small) not in by or (kind, big) not in by:
            continue
        a, b = by[(kind, small)], by[(kind, big)]
        ratios = [
            statistics.median(b.times[k]) / max(statistics.median(a.times[k]), 1e-9)
            for k in ("parse", "mentions", "display", "total")
        ]
        print(f"{kind:<9}{ratios[0]:>9.1f}{ratios[1]:>10.1f}{ratios[2]:>9.1f}{ratios[3]:>9.1f}")


def probe_ordinal_chains(atlas: Atlas, limit_s: float = 15.0) -> None:
    """The one superlinear path found: '16th and 16th and …' with no 'parallel' after it."""
    par = atlas.parallel_lines()
    print(
        "\nProbe: a chain of ordinals not followed by 'parallel' "
        "(find_mentions with parallels; one run each)\n"
    )
    print(f"{'text':<22}{'bytes':>8}{'seconds':>10}{'growth':>9}  (linear growth = 2.0)")
    previous = None
    for n in (250, 500, 1000, 2000, 4000):
        text = "16th and " * n
        t0 = time.perf_counter()
        found = find_mentions(text, places={}, proposals={}, parallels=par)
        took = time.perf_counter() - t0
        growth = f"{took / previous:.1f}" if previous else "-"
        print(f"{'16th and ' + '× ' + str(n):<22}{len(text):>8}{took:>10.2f}{growth:>9}")
        assert found == []
        previous = took
        if took > limit_s / 4:
            print(f"(stopped: the next size would take over {limit_s:.0f} s)")
            break


def profile(atlas: Atlas, kind: str, size: str) -> None:
    gaz = _gazetteers(atlas)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}-{size}.txt"
        path.write_bytes(KINDS[kind](atlas, SIZES[size]))
        prof = cProfile.Profile()
        prof.enable()
        _one_round(path, atlas, gaz)
        prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", nargs=2, metavar=("KIND", "SIZE"))
    parser.add_argument("--kinds", nargs="*", default=list(KINDS))
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    parser.add_argument("--no-probe", action="store_true")
    args = parser.parse_args(argv)

    atlas = load_atlas(DATA)
    if args.profile:
        profile(atlas, *args.profile)
        return
    gaz = _gazetteers(atlas)
    print(
        f"atlas: {len(gaz[0])} places, {len(gaz[1])} lines with terms, "
        f"parallels {sorted(gaz[2])}; {ROUNDS} rounds; target < {TARGET_S:.0f} s"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds:
            for size in args.sizes:
                path = Path(tmp) / f"{kind}-{size}.txt"
                data = KINDS[kind](atlas, SIZES[size])
                assert len(data) <= MAX_BYTES, (kind, size, len(data))
                path.write_bytes(data)
                rows.append(measure(path, atlas, gaz, kind, size))
                print(f"  measured {kind} {size}", file=sys.stderr, flush=True)
    print_table(rows)
    print_scaling(rows)
    worst = max(rows, key=lambda r: statistics.median(r.times["total"]))
    print(
        f"\nworst: {worst.kind} {worst.size}, median {statistics.median(worst.times['total']):.2f}"
        f" s total; target < {TARGET_S:.0f} s for every 2 MB file: "
        + (
            "met"
            if all(statistics.median(r.times["total"]) < TARGET_S for r in rows)
            else "NOT met"
        )
    )
    if not args.no_probe:
        probe_ordinal_chains(atlas)


if __name__ == "__main__":
    main()
