"""Shared test setup: make ``platform_emulator`` importable and offer CLI helpers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

EMULATOR_DIR = Path(__file__).resolve().parent.parent
if str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def pick_free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def cli() -> CliRunner:
    """Run ``python -m platform_emulator <args>`` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EMULATOR_DIR), env.get("PYTHONPATH")]))

    def run(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "platform_emulator", *map(str, args)]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture(scope="session")
def port_picker() -> Callable[[], int]:
    """A function returning a currently free TCP port."""
    return pick_free_port
