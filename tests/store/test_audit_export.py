"""The audit export: every order event exactly once, manual actions with who and why, and the
export of a crashed-and-resumed session equal to that of an uninterrupted one."""

from __future__ import annotations

import csv
import os
import signal
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from slipstream.cli.commands.simulate import prepare
from slipstream.cli.main import build_parser, main
from slipstream.kernel import KernelSettings, SimKernel
from slipstream.kernel.crash_harness import example_session_args
from slipstream.model.events import OrderFilled
from slipstream.model.instrument import Instrument, InstrumentTable
from slipstream.risk.state import RISK_OFFICER, User
from slipstream.store.audit import ORDER_RECORDS
from slipstream.store.journal import read_journal

ROOT = Path(__file__).resolve().parents[2]
ARGS = example_session_args(ROOT, group_commit=16)


def _export(journal: Path, out: Path) -> list[dict[str, str]]:
    assert main(["audit", "export", str(journal), "--out", str(out)]) == 0
    with (out / "audit.csv").open() as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("audit")
    journal = folder / "journal.db"
    assert main([*ARGS, "--journal", str(journal), "--json"]) == 0
    return journal, _export(journal, folder / "export")


def test_every_order_event_appears_exactly_once(busy: tuple[Path, list[dict[str, str]]]) -> None:
    journal, rows = busy
    order_seqs = [
        seq for seq, _ts, r in read_journal(journal).records() if isinstance(r, ORDER_RECORDS)
    ]
    assert len(order_seqs) > 700  # a busy session
    exported = Counter(int(row["seq"]) for row in rows)
    assert all(count == 1 for count in exported.values())
    assert set(order_seqs) <= set(exported)


def test_fills_carry_the_venue_trade_id_and_add_up(busy: tuple[Path, list[dict[str, str]]]) -> None:
    journal, rows = busy
    fills = {
        r.trade_id: r for _s, _t, r in read_journal(journal).records() if isinstance(r, OrderFilled)
    }
    exported = [row for row in rows if row["event_type"] == "order_filled"]
    assert len(exported) == len(fills) > 100
    for row in exported:
        fill = fills[row["trade_id"]]
        assert (row["client_order_id"], int(row["fill_quantity"])) == (
            fill.client_order_id,
            fill.last_qty,
        )
        assert row["fill_price"] == str(fill.last_px) and row["symbol"] == "IBM"
        assert row["destination"] == "sim" and row["venue_order_id"]
        assert row["parent_id"] == (row["client_order_id"].rpartition(".")[0] or "")


def test_risk_decisions_and_parent_commands_name_the_check_and_the_actor(
    busy: tuple[Path, list[dict[str, str]]],
) -> None:
    _journal, rows = busy
    by_type = Counter(row["event_type"] for row in rows)
    assert by_type["risk_approved"] > 0 and by_type["submit_order"] == by_type["order_initialized"]
    denied = [row for row in rows if row["event_type"] == "parent_denied"]
    assert [(d["parent_id"] or d["client_order_id"], d["risk_check"]) for d in denied] == [
        ("P-BIG-IBM", "position_limit")
    ]
    commands = [row for row in rows if row["event_type"] == "parent_commanded"]
    amend = next(row for row in commands if "action=amend" in row["details"])
    assert amend["actor"] == "orders file" and amend["reason"] == "client raised the order"
    cancels = [row for row in rows if row["event_type"] == "cancel_order"]
    assert any(row["reason"] for row in cancels)


def test_parquet_holds_the_same_rows(
    busy: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    journal, rows = busy
    _export(journal, tmp_path)
    table = pq.read_table(tmp_path / "audit.parquet").to_pylist()
    assert table == rows


def test_the_export_of_a_resumed_session_equals_the_uninterrupted_one(tmp_path: Path) -> None:
    plan = prepare(build_parser().parse_args(ARGS))
    reference = tmp_path / "reference.db"
    started = time.perf_counter()
    plan.with_journal(reference, False).execute()
    run_s = time.perf_counter() - started
    killed = tmp_path / "killed.db"
    pid = os.fork()
    if pid == 0:
        plan.with_journal(killed, False).execute()
        os._exit(0)
    time.sleep(run_s * 0.4)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    plan.with_journal(killed, True).execute()
    a = _export(reference, tmp_path / "a")
    b = _export(killed, tmp_path / "b")
    assert a == b and len(a) > 700
    assert (tmp_path / "a" / "audit.csv").read_bytes() == (
        tmp_path / "b" / "audit.csv"
    ).read_bytes()


def test_manual_actions_are_exported_with_who_and_why(tmp_path: Path) -> None:
    journal = tmp_path / "journal.db"
    kernel = SimKernel(
        InstrumentTable([Instrument("IBM", Decimal("0.01"), 1, "Information Technology")]),
        KernelSettings(journal_path=journal),
        start_ns=1,
    )
    risk = kernel.risk
    assert risk is not None
    officer = User("olga", RISK_OFFICER)
    risk.set_limits({"position.max_nav_pct": 5.0}, officer, "tighter for earnings")
    risk.grant_override("position_limit", officer, "client block", client_order_id="B1")
    risk.halt(officer, "exchange outage")
    risk.resume(officer, "exchange back")
    risk.kill_switch(officer, "runaway algo")
    kernel.close()
    rows = _export(journal, tmp_path / "out")
    actions = {
        row["event_type"]: (row["actor"], row["reason"])
        for row in rows
        if row["actor"] and row["event_type"] != "trading_state_changed"
    }
    assert actions == {
        "limits_changed": ("olga", "tighter for earnings"),
        "override_granted": ("olga", "client block"),
        "kill_switch_activated": ("olga", "runaway algo"),
    }
    states = [
        (row["actor"], row["reason"], row["details"])
        for row in rows
        if row["event_type"] == "trading_state_changed"
    ]
    assert [(a, r) for a, r, _ in states] == [
        ("olga", "exchange outage"),
        ("olga", "exchange back"),
        ("olga", "runaway algo"),
    ]
    assert "state=halted" in states[0][2] and "state=active" in states[1][2]
