"""Command line: ``python -m geo {validate,export,compare,render,import-cables,basemap}``.

User mistakes (bad ids, bad data, missing files) give one line on stderr and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.errors import AtlasError, ValidationError
from geo.io import DATA_DIR
from geo.records import THEATERS, Atlas, load_atlas


def _atlas(data_dir: Path) -> Atlas:
    from geo.geometry import build_all

    atlas = load_atlas(data_dir)
    build_all(atlas)
    return atlas


def cmd_validate(args: argparse.Namespace) -> int:
    from geo.records import validate

    problems = validate(args.data_dir)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {args.data_dir}", file=sys.stderr)
        return 1
    print(f"{args.data_dir}: valid")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from geo.export import to_csv, to_feature_collection

    atlas = _atlas(args.data_dir)
    if args.format == "csv":
        text = to_csv(atlas, theater=args.theater)
    else:
        fc = to_feature_collection(atlas, theater=args.theater, with_places=args.with_places)
        text = json.dumps(fc, ensure_ascii=False, indent=1 if args.pretty else None)
    _write(args.out, text)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from geo.compare import compare

    result = compare(_atlas(args.data_dir), args.a, args.b)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return 0
    print(f"{args.a}  vs  {args.b}")
    print(f"area between: {result.area_between_km2:,.0f} km²")
    for c in result.changes:
        print(f"  {c.name}: {c.before} -> {c.after}")
    if not result.changes:
        print("  no named place changes side")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from geo.render import MapOptions, render_html

    atlas = _atlas(args.data_dir)
    layers = tuple(args.layers.split(",")) if args.layers else None
    if layers:
        unknown = [i for i in layers if i not in atlas.lines]
        if unknown:
            raise AtlasError(f"unknown line id(s): {', '.join(unknown)}")
    options = MapOptions(theater=args.theater, layers=layers, online_tiles=args.online_tiles)
    _write(args.out, render_html(atlas, options))
    return 0


def cmd_import_cables(args: argparse.Namespace) -> int:
    from geo.cables import CableParseError, import_cables

    places, proposals = load_atlas(args.data_dir).name_maps()
    try:
        report = import_cables(args.directory, places=places, proposals=proposals)
    except CableParseError as exc:
        raise AtlasError(str(exc)) from None
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        for doc in report.documents:
            c = doc.cable
            print(f"{c.id}  {c.date}  {c.title}")
            print(f"    places: {', '.join(doc.places) or '-'}")
            print(f"    proposals: {', '.join(doc.proposals) or '-'}")
            for w in doc.warnings:
                print(f"    warning: {w}")
    return 0 if report.documents else 1


def cmd_basemap(args: argparse.Namespace) -> int:
    from geo.basemap import build_basemap

    summary = build_basemap(out_dir=args.data_dir / "basemap", source=args.source)
    print(json.dumps(summary, indent=1))
    return 0


def _write(out: str, text: str) -> None:
    if out == "-":
        sys.stdout.write(text)
        return
    path = Path(out)
    if not path.parent.exists():
        raise AtlasError(f"{out}: folder {path.parent} does not exist")
    path.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(text.encode()):,} bytes)", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo", description="Armistice Atlas: demarcation lines as data."
    )
    parser.add_argument(
        "--data-dir", type=Path, default=DATA_DIR, help="records folder (default: data/)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check every record; list all problems")
    p.add_argument("data", nargs="?", type=Path, help="data folder (default: data/)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export", help="GeoJSON (RFC 7946) or CSV of lines and zones")
    p.add_argument("--out", required=True, help="output file, or - for stdout")
    p.add_argument("--theater", choices=THEATERS)
    p.add_argument("--format", choices=("geojson", "csv"), default="geojson")
    p.add_argument("--with-places", action="store_true", help="add gazetteer points")
    p.add_argument("--pretty", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("compare", help="area between two lines and places changing side")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("render", help="standalone offline HTML map of a theater")
    p.add_argument("--theater", choices=THEATERS, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--layers", help="comma-separated ids to show (default: all)")
    p.add_argument("--online-tiles", action="store_true", help="add an OpenStreetMap layer")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("import-cables", help="parse a folder of cable texts, find mentions")
    p.add_argument("directory", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_cables)

    p = sub.add_parser("basemap", help="rebuild data/basemap from Natural Earth npm packages")
    p.add_argument("--source", type=Path, help="an existing node_modules folder")
    p.set_defaults(func=cmd_basemap)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "data", None) is not None:
        args.data_dir = args.data
    try:
        code: int = args.func(args)
    except ValidationError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    except (AtlasError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
