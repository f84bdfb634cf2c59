"""``slipstream data import|list``: build and show a Parquet catalog of market data.

``slipstream data import SOURCE... --catalog DIR`` parses CSV/CSV.gz market data once (every
format ``--market`` reads, plus daily bars) into DIR; afterwards ``--market DIR`` loads a day in
a fraction of a second and gives the same records as the CSV files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slipstream.cli.main import add_json_flag
from slipstream.cli.output import table
from slipstream.core.jsontext import to_json
from slipstream.marketdata.catalog import import_sources, summary


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``data`` command (``import`` and ``list``)."""
    p = subparsers.add_parser(
        "data",
        help="import market data into a fast Parquet catalog, or list one",
        description=(
            "Turn CSV/CSV.gz market data (quotes, trades, minute bars, AlgoSeek tick and minute "
            "files, LOBSTER, daily bars) into a Parquet catalog: one file per kind, symbol and "
            "date plus a manifest.json. Pass the catalog directory as --market to simulate or "
            "tca: it replays exactly the records of the CSV files, much faster."
        ),
    )
    add_json_flag(p)
    actions = p.add_subparsers(dest="data_action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="import files or folders into a catalog (unchanged sources are skipped)",
        description=(
            "Import every market data file of each SOURCE (a file, or a folder searched "
            "recursively) into the catalog. A source whose sha256 matches the manifest is "
            "skipped; a changed source has its entries replaced. Progress goes to stderr."
        ),
    )
    imp.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="file or folder")
    lst = actions.add_parser("list", help="show a catalog's manifest")
    for sub in (imp, lst):
        sub.add_argument(
            "--catalog", type=Path, required=True, metavar="DIR", help="catalog directory"
        )
        add_json_flag(sub)
    lst.add_argument(
        "--files", action="store_true", help="list every Parquet file, not only the totals"
    )
    imp.set_defaults(func=run_import)
    lst.set_defaults(func=run_list)


def run_import(args: argparse.Namespace) -> int:
    """Import the sources and print what was done."""
    as_json = getattr(args, "json", False)
    result = import_sources(args.sources, args.catalog, progress=sys.stderr)
    if as_json:
        print(to_json(result.as_dict()))
        return 0
    rows = [
        [a["source"], a["action"], a.get("format", ""), a["files"], f"{a['rows']:,}"]
        for a in result.actions
    ]
    print(f"catalog {result.catalog}")
    print(table(["source", "action", "format", "files", "rows"], rows))
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the catalog's manifest (totals per kind; ``--files`` for every file)."""
    info = summary(args.catalog)
    if getattr(args, "json", False):
        print(to_json(info))
        return 0
    print(
        f"catalog {info['catalog']} (format version {info['version']}): "
        f"{len(info['sources'])} source(s), {len(info['files'])} file(s)"
    )
    print(
        table(
            ["kind", "files", "rows", "symbols", "dates"],
            [
                [
                    kind,
                    k["files"],
                    f"{k['rows']:,}",
                    _names(k["symbols"]),
                    f"{k['first_date']} to {k['last_date']}",
                ]
                for kind, k in info["kinds"].items()
            ],
        )
    )
    print()
    print(
        table(
            ["source", "format", "sha256"],
            [[key, s["format"], s["sha256"][:16]] for key, s in info["sources"].items()],
        )
    )
    if args.files:
        print()
        print(
            table(
                ["file", "kind", "symbol", "dates", "rows"],
                [
                    [f["path"], f["kind"], f["symbol"], _dates(f["dates"]), f"{f['rows']:,}"]
                    for f in info["files"]
                ],
            )
        )
    return 0


def _names(symbols: list[str]) -> str:
    return (
        ", ".join(symbols)
        if len(symbols) <= 6
        else f"{len(symbols)} ({', '.join(symbols[:4])}, ...)"
    )


def _dates(dates: object) -> str:
    if isinstance(dates, dict):
        return f"{dates['first']} to {dates['last']} ({dates['count']})"
    assert isinstance(dates, list)
    return ", ".join(str(d) for d in dates)
