"""`cordtrack serve`: gunicorn with debug off, static files from WhiteNoise under hashed names,
/healthz, and JSON logs with a request id and no query string. Started as a subprocess on a
registry of its own (`make serve` runs the same steps: config init, migrate, collectstatic)."""

from __future__ import annotations

import gzip
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _environment(env_file: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(env_file.parent),
        "CORDTRACK_ENV_FILE": str(env_file),
    }


def _prepare(tmp_path: Path, *, collect: bool) -> Path:
    env_file = tmp_path / "var" / "cordtrack.env"
    env = _environment(env_file)
    steps = [[str(BIN / "cordtrack"), "config", "init", "--demo"]]
    if collect:
        steps += [
            [sys.executable, "-m", "cordtrack.server", "migrate", "--noinput", "-v0"],
            [sys.executable, "-m", "cordtrack.server", "collectstatic", "--noinput", "-v0"],
        ]
    for step in steps:
        done = subprocess.run(step, env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, f"{step}: {done.stderr}"
    return env_file


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A running `cordtrack serve` (two workers of two threads) and its log file."""
    env_file = _prepare(tmp_path, collect=True)
    base = f"http://127.0.0.1:{_free_port()}"
    log = tmp_path / "serve.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(
            [str(BIN / "cordtrack"), "serve", "--bind", base.removeprefix("http://"),
             "--workers", "2", "--threads", "2"],
            env=_environment(env_file), cwd=tmp_path, stdout=stream, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        yield base, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_answers_health_static_files_and_errors_in_production_mode(
    server: tuple[str, Path],
) -> None:
    base, log = server
    status, headers, body = _get(f"{base}/healthz")
    assert status == 200
    assert headers["Server"].startswith("gunicorn")
    # The checks this server must pass, not the whole body: a report added later is no failure.
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["checks"]["database"] == {"ok": True, "detail": "sqlite reachable"}
    assert health["checks"]["migrations"] == {"ok": True, "detail": "all applied"}
    # No worker runs beside this server: reported, never failing the probe (deploy.md).
    heartbeat = health["checks"]["worker_heartbeat"]
    assert heartbeat["ok"] is False
    assert heartbeat["required"] is False
    assert heartbeat["detail"].startswith("stale")

    # Pages name static files by a hash of their content; WhiteNoise serves them compressed,
    # cacheable for ever.
    status, _, page = _get(f"{base}/accounts/login/")
    assert status == 200
    css = re.search(rb'href="/(static/cordtrack/site\.[0-9a-f]{12}\.css)"', page)
    assert css is not None, page[:2000]
    status, headers, body = _get(f"{base}/{css.group(1).decode()}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert b"{" in gzip.decompress(body)

    # Debug off although the settings file says CORDTRACK_DEBUG=1: no debug 404 page.
    status, headers, body = _get(f"{base}/no-such-page/?q=NTH-0001")
    assert status == 404
    assert b"URLconf" not in body
    assert b"Traceback" not in body
    assert b"NTH-0001" not in body
    request_id = headers["X-Request-ID"]

    # A proxy's request id is kept.
    assert _get(f"{base}/healthz", **{"X-Request-ID": "proxy-id-1234"})[1]["X-Request-ID"] == (
        "proxy-id-1234"
    )

    time.sleep(1)  # the worker's log lines reach the file
    text = log.read_text()
    assert "NTH-0001" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    about_404 = [line for line in lines if line.get("request_id") == request_id]
    assert {line["logger"] for line in about_404} >= {"cordtrack.request", "django.request"}
    request_line = next(line for line in about_404 if line["logger"] == "cordtrack.request")
    assert request_line["path"] == "/no-such-page/"
    assert request_line["status"] == 404
    assert any(line["logger"] == "gunicorn.error" for line in lines)


def test_serve_refuses_to_start_without_collected_static_files(tmp_path: Path) -> None:
    env_file = _prepare(tmp_path, collect=False)
    done = subprocess.run(
        [str(BIN / "cordtrack"), "serve", "--bind", f"127.0.0.1:{_free_port()}"],
        env=_environment(env_file), cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 78
    assert "static files are not collected" in done.stderr
    assert done.stderr.count("\n") == 1


def test_serve_refuses_a_bad_worker_count(tmp_path: Path) -> None:
    env_file = _prepare(tmp_path, collect=False)
    done = subprocess.run(
        [str(BIN / "cordtrack"), "serve", "--workers", "many"],
        env=_environment(env_file), cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--workers must be a whole number of at least 1, not 'many'" in done.stderr
