"""First hour: ``--version``, and errors that echo the value as the user typed it."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from slipstream.cli.main import main


def test_version_prints_the_installed_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"slipstream {importlib.metadata.version('slipstream')}"


def test_version_with_json_is_an_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "--version"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "version": importlib.metadata.version("slipstream")
    }


def test_no_command_is_still_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def _estimate_error(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    argv = ["estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "1000", *extra]
    assert main(argv) == 2
    return capsys.readouterr().err


def test_estimate_start_after_the_close_echoes_the_time_typed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _estimate_error(capsys, "--start", "16:30")
    assert "'16:30'" in err
    assert "59400" not in err
    assert "09:30–16:00" in err


def test_estimate_end_before_start_echoes_the_time_typed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _estimate_error(capsys, "--start", "10:00", "--end", "09:15")
    assert "'09:15'" in err
    assert "33300" not in err


def test_estimate_turnover_ratio_echoes_the_text_typed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _estimate_error(capsys, "--turnover-ratio", "-1")
    assert "'-1'" in err
    assert "-1.0" not in err


def test_estimate_bad_start_names_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    err = _estimate_error(capsys, "--start", "25:00")
    assert "'25:00'" in err and "HH:MM" in err


def test_json_error_keeps_the_typed_value(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--json", "estimate", "--symbol", "IBM", "--side", "buy", "--quantity", "1000"]
    assert main([*argv, "--start", "16:30"]) == 2
    payload = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert payload["exit_code"] == 2 and "'16:30'" in payload["message"]
