"""`cordtrack config` and the local settings file: found from any directory, the environment
wins over it, never overwritten, and a bad value is one line naming it (exit 78)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cordtrack.server import envfile

BIN = Path(sys.executable).parent
GOOD_KEY = "k3J9x_Q2mZ7vB1nL8cR4tY6wE0aS5dF-gH"


def cordtrack(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "cordtrack"), *args], env=env, cwd=cwd, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def bare_environment(**variables: str) -> dict[str, str]:
    """PATH and HOME only, plus ``variables``: nothing of the test run's own settings."""
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), **variables}


def test_the_default_file_is_var_cordtrack_env_of_the_checkout() -> None:
    checkout = Path(__file__).resolve().parents[2]
    assert envfile.env_file_path({}) == checkout / "var" / "cordtrack.env"
    assert envfile.env_file_path({"CORDTRACK_ENV_FILE": ""}) is None
    assert envfile.env_file_path({"CORDTRACK_ENV_FILE": "/x/y.env"}) == Path("/x/y.env")


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.env"
    path.write_text("# comment\nCORDTRACK_DEMO=1\nDATABASE_URL='sqlite:////a b/db'\n")
    environ = {"CORDTRACK_ENV_FILE": str(path), "CORDTRACK_DEMO": "0"}
    assert envfile.load(environ) == path
    assert environ["CORDTRACK_DEMO"] == "0"
    assert environ["DATABASE_URL"] == "sqlite:////a b/db"


def test_a_named_file_must_exist_and_hold_only_assignments(tmp_path: Path) -> None:
    with pytest.raises(envfile.EnvFileError, match="no such file"):
        envfile.load({"CORDTRACK_ENV_FILE": str(tmp_path / "absent.env")})
    bad = tmp_path / "bad.env"
    bad.write_text("CORDTRACK_DEMO=1\nrm -rf /\n")
    with pytest.raises(envfile.EnvFileError, match=r"bad.env, line 2: not a KEY=VALUE line"):
        envfile.load({"CORDTRACK_ENV_FILE": str(bad)})


def test_init_adds_what_is_missing_and_never_changes_a_key(tmp_path: Path) -> None:
    path = tmp_path / "var" / "cordtrack.env"
    path.parent.mkdir()
    path.write_text("CORDTRACK_SECRET_KEY=mine-and-kept-0123456789abcdefghijklmn\n")
    values = envfile.initial_values(tmp_path / "var", demo=True, environ={})
    added, kept = envfile.init(path, values)
    assert kept == ["CORDTRACK_SECRET_KEY"]
    assert "CORDTRACK_AUDIT_KEY" in added
    assert "DATABASE_URL" in added
    text = path.read_text()
    assert text.startswith("CORDTRACK_SECRET_KEY=mine-and-kept-")
    assert envfile.init(path, envfile.initial_values(tmp_path, demo=True, environ={})) == (
        [],
        list(values),
    )
    assert path.read_text() == text


def test_init_takes_the_database_from_the_environment(tmp_path: Path) -> None:
    url = "postgres://postgres@127.0.0.1:5432/somewhere"
    values = envfile.initial_values(tmp_path, demo=False, environ={"DATABASE_URL": url})
    assert values["DATABASE_URL"] == url
    assert "CORDTRACK_DEMO" not in values


def test_commands_find_the_file_from_any_directory(tmp_path: Path) -> None:
    env = bare_environment(CORDTRACK_ENV_FILE=str(tmp_path / "var" / "cordtrack.env"))
    made = cordtrack("config", "init", "--demo", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    elsewhere = tmp_path / "a" / "b"
    elsewhere.mkdir(parents=True)
    checked = cordtrack("config", "check", env=env, cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr
    assert f"database: sqlite3 {tmp_path}/var/cordtrack.sqlite3" in checked.stdout
    assert "debug: on, demo: on" in checked.stdout


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({}, "environment variable CORDTRACK_SECRET_KEY is required"),
        ({"CORDTRACK_SECRET_KEY": "short"}, "CORDTRACK_SECRET_KEY is too weak"),
        ({"CORDTRACK_SECRET_KEY": "a" * 40}, "CORDTRACK_SECRET_KEY is too weak"),
        (
            {"CORDTRACK_SECRET_KEY": "insecure-" + GOOD_KEY},
            "CORDTRACK_SECRET_KEY is too weak",
        ),
        (
            {"CORDTRACK_SECRET_KEY": GOOD_KEY},
            "environment variable CORDTRACK_AUDIT_KEY is required",
        ),
        (
            {"CORDTRACK_SECRET_KEY": GOOD_KEY, "CORDTRACK_AUDIT_KEY": "12345678"},
            "CORDTRACK_AUDIT_KEY is too weak: it needs 32+ random characters",
        ),
        (
            {
                "CORDTRACK_SECRET_KEY": GOOD_KEY,
                "CORDTRACK_AUDIT_KEY": "changeme-" + GOOD_KEY[::-1],
            },
            "CORDTRACK_AUDIT_KEY is too weak",
        ),
        (
            {
                "CORDTRACK_SECRET_KEY": GOOD_KEY,
                "CORDTRACK_AUDIT_KEY": GOOD_KEY,
                "CORDTRACK_DEMO": "2",
            },
            "CORDTRACK_DEMO='2' is not a boolean",
        ),
    ],
)
def test_a_missing_or_weak_value_stops_every_entry_point_with_one_line(
    tmp_path: Path, variables: dict[str, str], named: str
) -> None:
    env = bare_environment(CORDTRACK_ENV_FILE="", CORDTRACK_VAR_DIR=str(tmp_path), **variables)
    for argv in (
        [str(BIN / "cordtrack"), "audit", "verify"],
        [str(BIN / "cordtrack"), "manage", "migrate"],
        [sys.executable, "-m", "cordtrack.server", "check"],
    ):
        done = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 78, (argv, done.stderr)
        assert done.stderr.count("\n") == 1, done.stderr
        assert named in done.stderr
        assert "Traceback" not in done.stderr


def test_debug_mode_runs_without_keys(tmp_path: Path) -> None:
    env = bare_environment(
        CORDTRACK_ENV_FILE="", CORDTRACK_DEBUG="1", CORDTRACK_VAR_DIR=str(tmp_path)
    )
    checked = cordtrack("config", "check", env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "settings file: none (environment only)" in checked.stdout


def test_init_says_when_the_environment_names_another_database_than_the_file(
    tmp_path: Path,
) -> None:
    env = bare_environment(CORDTRACK_ENV_FILE=str(tmp_path / "var" / "cordtrack.env"))
    assert cordtrack("config", "init", "--demo", env=env, cwd=tmp_path).returncode == 0
    other = {**env, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/elsewhere"}
    again = cordtrack("config", "init", "--demo", env=other, cwd=tmp_path)
    assert again.returncode == 0
    assert "DATABASE_URL in the environment differs" in again.stderr
    assert "sqlite:///" in (tmp_path / "var" / "cordtrack.env").read_text()


@pytest.mark.parametrize(
    "command", [["audit", "verify"], ["report", "safety", "--site", "NTH"], ["outbox", "status"]]
)
def test_a_command_on_a_database_not_migrated_says_so_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    env = bare_environment(
        CORDTRACK_ENV_FILE="",
        CORDTRACK_DEMO="1",
        CORDTRACK_DEBUG="1",
        CORDTRACK_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3",
    )
    done = cordtrack(*command, env=env, cwd=tmp_path)
    assert done.returncode == 78, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"the database {tmp_path}/empty.sqlite3 lacks the registry's tables" in done.stderr
    assert "cordtrack manage migrate" in done.stderr
