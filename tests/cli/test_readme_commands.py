"""Every command README's "Registry commands" block prints works as printed after `make run`,
from the checkout and from another directory, with nothing exported.

The set-up is `make run`'s (``config init --demo``, ``migrate``, ``load_demo``) on a registry of
its own: the settings file is named by CORDTRACK_ENV_FILE (the one variable these processes get
besides PATH and HOME), so a developer's own var/cordtrack.env is never touched. Each command
then runs with only that environment, once from the checkout (as printed) and once from a
scratch directory on a copy of the registry (with the checkout's path before `.venv/bin/`).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PRINTED_BIN = ".venv/bin/"


def readme_commands() -> list[str]:
    """The commands of README's "Registry commands" block, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Registry commands") :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README: no sh block under 'Registry commands'"
    commands = []
    for line in block.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        command = re.split(r"\s+#(?:\s|$)", line, maxsplit=1)[0].strip()
        shlex.split(command)  # balanced quotes: the comment was cut outside them
        commands.append(command)
    return commands


def _printed_bin_is_ours() -> bool:
    """Whether the checkout's .venv/bin/cordtrack is the one of the running interpreter (as
    under `make test`); otherwise the commands run with this interpreter's."""
    printed = ROOT / PRINTED_BIN / "cordtrack"
    return printed.exists() and printed.samefile(BIN / "cordtrack")


def _environment(env_file: Path, home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "CORDTRACK_ENV_FILE": str(env_file)}


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip


def _make_run(base: Path) -> tuple[Path, Path]:
    """`make run`'s set-up, without the server: the settings file and a home directory."""
    home = base / "home"
    home.mkdir(parents=True)
    env_file = base / "var" / "cordtrack.env"
    env = _environment(env_file, home)
    steps = [
        [str(BIN / "cordtrack"), "config", "init", "--demo"],
        [sys.executable, "-m", "cordtrack.server", "migrate", "--noinput", "-v0"],
        [sys.executable, "-m", "cordtrack.server", "load_demo"],
    ]
    for number, step in enumerate(steps):
        if number == 1:  # the treated cohort only slows this test down
            with env_file.open("a", encoding="utf-8") as stream:
                stream.write("CORDTRACK_DEMO_COHORT=0\n")
        done = subprocess.run(step, cwd=base, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{step}: {done.stderr}"
    return env_file, home


def _copy(env_file: Path, to: Path) -> Path:
    """A copy of the registry (same keys, its own absolute paths); its settings file."""
    shutil.copytree(env_file.parent, to)
    text = env_file.read_text(encoding="utf-8").replace(str(env_file.parent), str(to))
    (to / "cordtrack.env").write_text(text, encoding="utf-8")
    return to / "cordtrack.env"


def test_readme_lists_runnable_commands_only() -> None:
    commands = readme_commands()
    assert len(commands) >= 10
    for command in commands:
        assert "[" not in command, f"README prints a placeholder, not a command: {command}"
        assert "CORDTRACK_" not in command, f"README exports a variable: {command}"
        assert command.startswith(PRINTED_BIN + "cordtrack "), command


def test_every_readme_command_works_as_printed_from_the_checkout_and_elsewhere(
    tmp_path: Path,
) -> None:
    env_file, home = _make_run(tmp_path / "made")
    text = env_file.read_text(encoding="utf-8")
    assert env_file.stat().st_mode & 0o077 == 0
    assert re.search(r"^CORDTRACK_SECRET_KEY=[A-Za-z0-9_-]{64}$", text, re.MULTILINE)
    assert re.search(r"^CORDTRACK_AUDIT_KEY=[A-Za-z0-9_-]{64}$", text, re.MULTILINE)
    assert f"DATABASE_URL=sqlite:///{env_file.parent}/cordtrack.sqlite3\n" in text
    assert f"CORDTRACK_VAR_DIR={env_file.parent}\n" in text
    again = _run(f"{BIN}/cordtrack config init --demo", home, _environment(env_file, home))
    assert again.returncode == 0, again.stderr
    assert "added" not in again.stdout
    assert env_file.read_text(encoding="utf-8") == text

    for where in ("checkout", "elsewhere"):
        place = tmp_path / where
        place.mkdir()
        home = place / "home"
        home.mkdir()
        env = _environment(_copy(env_file, place / "var"), home)
        cwd = ROOT if where == "checkout" else place
        for command in readme_commands():
            if where == "elsewhere" or not _printed_bin_is_ours():
                command = command.replace(PRINTED_BIN, f"{BIN}/", 1)
            done = _run(command, cwd, env)
            assert done.returncode == 0, f"{where}: {command}\n{done.stdout[-2000:]}\n{done.stderr}"
            assert "Traceback" not in done.stderr, command
        assert (home / "cordtrack-anchors.jsonl").is_file()
        assert (home / "outcomes-NTH.pdf").read_bytes().startswith(b"%PDF")
        assert any((home / "cordtrack-research").iterdir())


def test_every_code_block_in_the_readme_is_closed() -> None:
    # An unclosed fence turned the rest of README into one code block (a merge left command lines
    # and a stray fence after "Backup and restore").
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    fences = [n for n, line in enumerate(lines, 1) if line.startswith("```")]
    assert len(fences) % 2 == 0, f"README: unpaired code fence, fences on lines {fences}"
