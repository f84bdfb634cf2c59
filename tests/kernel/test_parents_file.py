"""Parent orders are input: the orders file's parents, actions and their results end to end."""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from kernel_helpers import PARENTS_FILE, run_error, run_json, simulate_args

from slipstream.algos.parent import ParentAmended, ParentPaused, ParentResumed
from slipstream.cli.main import main
from slipstream.kernel.commands import CommandRefused, ParentCommanded
from slipstream.store.journal import read_journal


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list]:  # type: ignore[type-arg]
    journal = tmp_path_factory.mktemp("parents") / "j.db"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main([*simulate_args(), "--journal", str(journal), "--json"])
    assert code == 0
    records = [r for _, _, r in read_journal(journal).records()]
    return json.loads(buffer.getvalue()), records


def test_every_parent_is_reported_with_progress_and_cost(session: tuple[dict, list]) -> None:  # type: ignore[type-arg]
    out, _ = session
    parents = {p["client_id"]: p for p in out["parents"]}
    assert list(parents) == [
        "P-TWAP-IBM",
        "P-POV-IBM",
        "P-VWAP-IBM",
        "P-ICE-IBM",
        "P-IS-IBM",
        "P-BIG-IBM",
    ]
    children = [o for o in out["orders"] if o["parent_id"] is not None]
    for pid, parent in parents.items():
        mine = [c for c in children if c["parent_id"] == pid]
        assert parent["children"] == len(mine)
        assert parent["filled"] == sum(c["filled"] for c in mine) <= parent["quantity"]
        assert all(c["client_id"].startswith(f"{pid}.") for c in mine)
        if parent["filled"]:
            notional = sum(
                Decimal(str(f["price"])) * f["quantity"] for c in mine for f in c["fills"]
            )
            avg = Decimal(str(parent["avg_price"]))
            assert abs(avg - notional / parent["filled"]) < Decimal("0.0001")
            assert parent["shortfall_bps"] is not None and parent["vs_arrival_bps"] is not None
    # 6,000 IBM (about $1.08M) is more than 8 % of the $10M book: refused, nothing sent.
    assert parents["P-BIG-IBM"]["status"] == "denied" and parents["P-BIG-IBM"]["children"] == 0
    assert {p["algo"] for p in parents.values()} == {"twap", "vwap", "pov", "is", "iceberg"}


def test_amend_pause_resume_and_cancel_take_effect_and_are_journalled(
    session: tuple[dict, list],  # type: ignore[type-arg]
) -> None:
    out, records = session
    parents = {p["client_id"]: p for p in out["parents"]}
    assert parents["P-TWAP-IBM"]["quantity"] == 4000  # amended up from 3,000
    amended = next(r for r in records if isinstance(r, ParentAmended))
    assert (amended.parent_id, amended.quantity) == ("P-TWAP-IBM", 4000)
    assert any(isinstance(r, ParentPaused) and r.parent_id == "P-VWAP-IBM" for r in records)
    assert any(isinstance(r, ParentResumed) and r.parent_id == "P-VWAP-IBM" for r in records)
    commands = [(r.parent_id, r.action.value) for r in records if isinstance(r, ParentCommanded)]
    assert ("P-TWAP-IBM", "amend") in commands and ("P-POV-IBM", "cancel") in commands
    # The POV parent had already completed at 10:40: its cancel is refused and recorded.
    refused = [r for r in records if isinstance(r, CommandRefused)]
    assert [(r.target, r.action) for r in refused] == [("P-POV-IBM", "cancel")]
    single = {o["client_id"]: o for o in out["orders"] if o["parent_id"] is None}
    assert single["IBM-LMT-1"]["status"] == "cancelled"


def _orders(tmp_path: Path, *rows: str) -> Path:
    header = PARENTS_FILE.read_text().splitlines()[0]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


PARENT = "P1,,IBM,buy,1000,,,,,{algo},2013-10-08T10:00:00,{end},medium,,{params},"


@pytest.mark.parametrize(
    ("row", "field", "rule"),
    [
        (PARENT.format(algo="vwop", end="2013-10-08T10:30:00", params=""), "algo", "one of"),
        (PARENT.format(algo="twap", end="2013-10-08T09:30:00", params=""), "end", "after start"),
        (
            PARENT.format(algo="twap", end="2013-10-08T10:30:00", params='"{""slices"": -3}"'),
            "slices",
            "",
        ),
        (
            PARENT.format(algo="twap", end="2013-10-08T10:30:00", params='"{""colour"": 1}"'),
            "colour",
            "",
        ),
        (
            PARENT.format(algo="twap", end="2013-10-08T10:30:00", params='"[1, 2]"'),
            "params",
            "JSON object",
        ),
        ("P9,amend,,,5,,,,2013-10-08T10:10:00,,,,,,,", "client_id", "earlier row"),
    ],
)
def test_bad_parent_rows_name_row_field_value_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, field: str, rule: str
) -> None:
    code, error = run_error(capsys, simulate_args(_orders(tmp_path, row)))
    assert code == 2
    assert "row 2" in error["message"] and field in error["message"] and rule in error["message"]


def test_pause_on_a_single_order_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _orders(
        tmp_path,
        "O1,,IBM,buy,100,market,,day,2013-10-08T10:00:00,,,,,,,",
        "O1,pause,,,,,,,2013-10-08T10:05:00,,,,,,,",
    )
    code, error = run_error(capsys, simulate_args(path))
    assert code == 2 and "row 3" in error["message"] and "parent orders" in error["message"]


def test_a_multi_day_file_is_replayed_only_on_the_chosen_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _orders(tmp_path, "O1,,IBM,buy,100,market,,day,2013-10-09T10:00:00,,,,,,,")
    code, error = run_error(capsys, simulate_args(path))  # the window is 2013-10-08
    assert code == 2 and "submit_at" in error["message"]
    code, out = run_json(
        capsys,
        ["simulate", str(path), "--market", simulate_args()[3], "--date", "2013-10-09"],
    )
    assert code == 0
    fill = out["orders"][0]["fills"][0]
    assert fill["ts"].startswith("2013-10-09 10:00")
