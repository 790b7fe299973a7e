"""The `cordtrack` command: every module of cordtrack.commands is a subcommand."""

from __future__ import annotations

import pytest

from cordtrack import __version__
from cordtrack.cli import command_modules, main


def test_help_lists_every_command_module(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0

    out = capsys.readouterr().out
    names = [command.NAME for command in command_modules()]
    assert {"classify", "demo"} <= set(names)
    for command in command_modules():
        assert f"{command.NAME}  " in out
        assert command.HELP in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_version_option_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"cordtrack {__version__}\n"
