"""Integration harness: a fresh emulator per test session, playbooks run for real.

Every test runs ansible-playbook against the emulator with its own random
env_suffix, then reads the resulting state back with boto3.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass, field

import pytest

# The emulator helpers and the session ``emulator`` fixture live in
# tests/conftest.py; re-exported here for the test modules that import them
# from "conftest" (pytest gives this file that module name).
from payment_platform_tests_conftest import (  # noqa: F401  pylint: disable=unused-import
    BIN,
    REGION,
    ROOT,
    Emulator,
    _emulator_cli,
    _free_port,
)


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
        # With -v, ansible-playbook prints a line about its config before the JSON document.
        start = proc.stdout.find("\n{") + 1 if not proc.stdout.startswith("{") else 0
        try:
            result = json.loads(proc.stdout[start:])
        except ValueError:
            result = {}
        return PlaybookRun(rc=proc.returncode, output=proc.stdout + proc.stderr, result=result)

    run.outputs_dir = outputs_dir
    return run


@pytest.fixture
def env_suffix() -> str:
    """A fresh, valid env_suffix per test."""
    return "t" + secrets.token_hex(4)
