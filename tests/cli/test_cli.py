"""The `cordtrack` command: every module of cordtrack.commands is a subcommand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cordtrack import __version__
from cordtrack.cli import command_modules, main
from cordtrack.isncsci.generator import generate_exams, write_exams


def test_help_lists_every_command_module(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0

    # argparse wraps to the terminal's width: compare with the whitespace folded, so a narrow
    # terminal (help on the next line, wrapped) reads the same as a wide one.
    out = " ".join(capsys.readouterr().out.split())
    names = [command.NAME for command in command_modules()]
    assert {"classify", "demo"} <= set(names)
    for command in command_modules():
        assert f"{command.NAME} {' '.join(command.HELP.split())}" in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_version_option_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"cordtrack {__version__}\n"


CONSOLE = "import sys; from cordtrack.cli import console; sys.argv[0] = 'cordtrack'; console()"


def console(*args: str, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    """The console script, as `cordtrack ARGS` runs it (with buffered standard streams)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", CONSOLE, *args],
        stdout=stdout, stderr=subprocess.PIPE, check=False, env=env,
    )  # fmt: skip


def test_the_console_script_exits_with_the_command_status_and_everything_written(
    tmp_path: Path,
) -> None:
    exams = tmp_path / "exams.jsonl"
    write_exams(exams, generate_exams(5, seed=5))  # less than stdout's buffer: flushed at exit
    done = console("classify", str(exams))
    assert done.returncode == 0
    assert done.stderr == b""
    lines = done.stdout.splitlines()
    assert len(lines) == 5
    assert json.loads(lines[-1])["id"] == "syn-5"
    exams.write_bytes(exams.read_bytes() + b"{not json\n")
    assert console("classify", str(exams)).returncode == 1
    assert console("classify", str(tmp_path / "missing.jsonl")).returncode == 2
    assert console("--version").stdout == f"cordtrack {__version__}\n".encode()


def test_the_console_script_stops_quietly_when_its_reader_goes_away(tmp_path: Path) -> None:
    exams = tmp_path / "exams.csv"
    write_exams(exams, generate_exams(3000, seed=5))
    reader = subprocess.Popen(["head", "-c", "100"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    done = console("classify", str(exams), "--format", "csv", stdout=reader.stdin)
    assert reader.stdin is not None
    assert reader.stdout is not None
    reader.stdin.close()
    assert len(reader.stdout.read()) == 100
    reader.wait()
    assert done.returncode == 128 + 13
    assert done.stderr == b""
