"""The schema guard: a record's fields cannot change at the same version without failing here.

``src/slipstream/core/schema_snapshot.json`` holds every kind's ordered ``[field, type]`` list,
version by version. Regenerate it (after bumping a version and adding its upgrader) with::

    python -m slipstream.core.schema --write
"""

from __future__ import annotations

import copy
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from slipstream.core import schema


def test_every_registered_record_matches_the_committed_snapshot() -> None:
    problems = schema.check_snapshot(schema.read_snapshot())
    assert not problems, "\n".join(problems)


def test_a_changed_field_without_a_version_bump_fails_with_what_to_do() -> None:
    committed = copy.deepcopy(schema.read_snapshot())
    committed["order.filled"]["1"][8] = ["last_px", "float"]
    [problem] = schema.check_snapshot(committed)
    assert problem.startswith(
        "record order.filled changed its fields without a version bump; bump the version and "
        "add an upgrader, then regenerate the snapshot with python -m slipstream.core.schema "
        "--write"
    )
    assert problem.endswith("(v1: snapshot has ['last_px: float'], code has ['last_px: Decimal'])")


def test_a_kind_or_version_missing_from_the_snapshot_fails() -> None:
    committed = copy.deepcopy(schema.read_snapshot())
    del committed["risk.limits_changed"]
    committed["order.filled"] = {"2": committed["order.filled"]["1"]}
    problems = schema.check_snapshot(committed)
    assert sorted(p.split(" is not")[0] for p in problems) == [
        "record order.filled v1",
        "record risk.limits_changed v1",
    ]
    assert all("python -m slipstream.core.schema --write" in p for p in problems)


def test_a_test_record_outside_the_snapshot_is_caught_until_it_is_added() -> None:
    @schema.journal_record("test.guard_probe", version=3)
    @dataclass(frozen=True, slots=True)
    class Probe:
        a: int
        b: str | None

    try:
        committed = schema.read_snapshot()
        assert schema.check_snapshot(committed) == [
            "record test.guard_probe v3 is not in the schema snapshot; regenerate it with "
            "python -m slipstream.core.schema --write"
        ]
        committed = {**committed, "test.guard_probe": {"3": [["a", "int"], ["b", "str | None"]]}}
        assert schema.check_snapshot(committed) == []
    finally:
        schema.unregister(Probe)


def test_writing_the_snapshot_keeps_old_versions(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text('{"order.filled": {"0": [["gone", "int"]]}}\n')
    written = schema.write_snapshot(path)
    assert written["order.filled"]["0"] == [["gone", "int"]]
    assert written["order.filled"]["1"] == schema.read_snapshot()["order.filled"]["1"]
    assert schema.read_snapshot(path) == written


def test_type_texts_name_records_by_kind_and_newtypes_by_what_they_carry() -> None:
    fields = {name: kind for name, kind in schema.read_snapshot()["order.initialized"]["1"]}
    assert fields == {
        "client_order_id": "str",
        "ts_event": "int",
        "ts_init": "int",
        "spec": "record order.spec",
    }
    seeded = {name: kind for name, kind in schema.read_snapshot()["portfolio.seeded"]["1"]}
    assert seeded["positions"] == "tuple[record portfolio.seed_position, ...]"


def test_the_module_command_checks_the_committed_snapshot() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slipstream.core.schema"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "slipstream.core.schema", "--bogus"], capture_output=True
    )
    assert bad.returncode == 2
