"""Shared test setup.

* Make the collection importable as ``ansible_collections.fintech.payment_platform``.
  The repository root is the collection; ``collections/`` holds a link that
  places it at ``ansible_collections/fintech/payment_platform``.  Ansible's own
  collection finder merges that path with the collections installed in the
  virtualenv (amazon.aws, community.aws), exactly as ansible-test does.
* The ``emulator`` fixture: one local AWS emulator per test session, for the
  integration tests and for unit tests that run code against real AWS calls.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass

import boto3
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "collections")
BIN = os.path.dirname(sys.executable)
REGION = "ap-southeast-1"
# pytest imports every conftest.py outside a package as the module "conftest",
# each replacing the previous one in sys.modules; under this second name the
# helpers below stay importable (tests/integration/conftest.py re-exports them).
SHARED_MODULE_NAME = "payment_platform_tests_conftest"
sys.modules.setdefault(SHARED_MODULE_NAME, sys.modules[__name__])


def _install_collection_finder():
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    site_paths = [p for p in sys.path if os.path.isdir(os.path.join(p, "ansible_collections"))]
    finder = _AnsibleCollectionFinder(paths=[COLLECTIONS] + site_paths)
    finder._install()  # pylint: disable=protected-access


_install_collection_finder()


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
