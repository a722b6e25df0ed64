"""Integration harness: a fresh emulator per test session, playbooks run for real.

Every test runs ansible-playbook against the emulator with its own random
env_suffix, then reads the resulting state back with boto3.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field

import boto3
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
REGION = "ap-southeast-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _emulator_cli(*args: str, state_dir: str) -> None:
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "emulator"))
    subprocess.run(
        [sys.executable, "-m", "platform_emulator", *args, "--state-dir", state_dir],
        check=True,
        env=env,
        cwd=ROOT,
    )


@dataclass
class Emulator:
    """A running emulator and what it has been asked."""

    endpoint: str
    region: str = REGION

    def _request(self, path: str, method: str = "GET") -> dict:
        req = urllib.request.Request(self.endpoint + path, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
            body = resp.read()
        return json.loads(body) if body else {}

    def reset_calls(self) -> None:
        self._request("/_emulator/calls/reset", method="POST")

    def calls(self) -> dict:
        return self._request("/_emulator/calls")

    def client(self, service: str):
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="session")
def emulator(tmp_path_factory) -> Emulator:
    port = _free_port()
    state_dir = str(tmp_path_factory.mktemp("emulator"))
    _emulator_cli("start", "--port", str(port), state_dir=state_dir)
    try:
        yield Emulator(endpoint="http://127.0.0.1:%d" % port)
    finally:
        _emulator_cli("stop", "--port", str(port), state_dir=state_dir)


@dataclass
class PlaybookRun:
    """The outcome of one ansible-playbook run (json callback)."""

    rc: int
    output: str
    result: dict = field(default_factory=dict)

    @property
    def stats(self) -> dict:
        return self.result.get("stats", {}).get("localhost", {})

    @property
    def changed(self) -> int:
        return self.stats.get("changed", 0)

    @property
    def failures(self) -> list[str]:
        """'task name: message' for every failed task."""
        found = []
        for play in self.result.get("plays", []):
            for task in play.get("tasks", []):
                host = task.get("hosts", {}).get("localhost", {})
                if host.get("failed") or host.get("unreachable"):
                    found.append("%s: %s" % (task["task"]["name"], host.get("msg")))
        return found

    def changed_tasks(self) -> list[str]:
        """Names of the tasks that reported a change (to explain an idempotency failure)."""
        names = []
        for play in self.result.get("plays", []):
            for task in play.get("tasks", []):
                if task.get("hosts", {}).get("localhost", {}).get("changed"):
                    names.append(task["task"]["name"])
        return names


@pytest.fixture(scope="session")
def run_playbook(emulator, tmp_path_factory):
    outputs_dir = str(tmp_path_factory.mktemp("outputs"))

    def run(
        playbook: str,
        env_suffix: str,
        *args: str,
        check: bool = False,
        diff: bool = False,
        endpoint: str | None = None,
    ) -> PlaybookRun:
        cmd = [
            os.path.join(BIN, "ansible-playbook"),
            playbook if "/" in playbook else os.path.join("playbooks", playbook),
            "-e",
            "env_suffix=%s" % env_suffix,
            "-e",
            "aws_endpoint_url=%s" % (endpoint or emulator.endpoint),
            "-e",
            "platform_outputs_dir=%s" % outputs_dir,
            *args,
        ]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        env = dict(
            os.environ,
            ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
            ANSIBLE_CALLBACK_RESULT_FORMAT="json",
            ANSIBLE_DEPRECATION_WARNINGS="false",
            PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
        )
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        try:
            result = json.loads(proc.stdout)
        except ValueError:
            result = {}
        return PlaybookRun(rc=proc.returncode, output=proc.stdout + proc.stderr, result=result)

    run.outputs_dir = outputs_dir
    return run


@pytest.fixture
def env_suffix() -> str:
    """A fresh, valid env_suffix per test."""
    return "t" + secrets.token_hex(4)
