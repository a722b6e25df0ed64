"""The CLI lifecycle: start, status, stop, and the ways start can fail."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from platform_emulator.__main__ import REPO_ROOT, build_parser, is_alive

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def test_defaults_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("EMULATOR_PORT", raising=False)
    monkeypatch.delenv("EMULATOR_STATE_DIR", raising=False)
    args = build_parser().parse_args(["start"])
    assert (args.port, args.state_dir, args.host) == (5000, REPO_ROOT / ".emulator", "127.0.0.1")
    assert REPO_ROOT == Path(__file__).resolve().parent.parent.parent

    monkeypatch.setenv("EMULATOR_PORT", "6123")
    monkeypatch.setenv("EMULATOR_STATE_DIR", str(tmp_path))
    args = build_parser().parse_args(["stop"])
    assert (args.port, args.state_dir) == (6123, tmp_path)
    assert build_parser().parse_args(["serve", "--port", "7000"]).port == 7000


def test_start_status_stop(cli: CliRunner, port_picker: Callable[[], int], tmp_path: Path) -> None:
    args = ["--port", str(port_picker()), "--state-dir", tmp_path]
    pid_file = tmp_path / f"emulator-{args[1]}.pid"

    started = cli("start", *args)
    assert started.returncode == 0, started.stderr
    pid = int(pid_file.read_text())
    assert is_alive(pid)
    assert (tmp_path / f"emulator-{args[1]}.log").exists()
    assert cli("status", *args).returncode == 0

    stopped = cli("stop", *args)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.strip() == f"emulator stopped (pid {pid})"
    assert not is_alive(pid)
    assert not pid_file.exists()

    again = cli("stop", *args)  # idempotent
    assert (again.returncode, again.stdout.strip()) == (0, "emulator is not running")
    status = cli("status", *args)
    assert (status.returncode, status.stdout.strip()) == (3, "stopped")


class NotTheEmulator(http.server.BaseHTTPRequestHandler):
    """Some other web server: 404 for everything."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def other_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotTheEmulator)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_start_refuses_a_port_used_by_another_program(
    cli: CliRunner, other_server: int, tmp_path: Path
) -> None:
    result = cli("start", "--port", other_server, "--state-dir", tmp_path)
    assert result.returncode == 1
    assert f"port {other_server} is already in use by another program" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / f"emulator-{other_server}.pid").exists()


def test_start_shows_the_log_when_the_server_fails(
    cli: CliRunner, port_picker: Callable[[], int], tmp_path: Path
) -> None:
    port = port_picker()
    # 192.0.2.1 (TEST-NET-1) is not a local address, so binding to it fails.
    result = cli("start", "--host", "192.0.2.1", "--port", port, "--state-dir", tmp_path)
    assert result.returncode == 1
    assert "did not become healthy" in result.stderr
    assert "Cannot assign requested address" in result.stderr  # from the log tail
    assert not (tmp_path / f"emulator-{port}.pid").exists()
    assert os.listdir(tmp_path)  # the log is kept for inspection
