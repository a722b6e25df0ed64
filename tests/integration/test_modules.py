"""The collection's modules, each exercised by its own playbook against the emulator.

Every playbook asserts what it reads back (four-step idempotency, check mode,
diff, validation failures) and cleans up after itself.
"""

from __future__ import annotations

import glob
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = sorted(glob.glob(os.path.join(HERE, "playbooks", "*.yml")))


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=[os.path.basename(p)[:-4] for p in PLAYBOOKS])
def test_module_playbook(run_playbook, env_suffix, playbook):
    run = run_playbook(os.path.relpath(playbook, os.path.dirname(os.path.dirname(HERE))), env_suffix)
    assert run.rc == 0, "\n".join(run.failures) or run.output[-3000:]
    assert run.stats.get("ok", 0) > 0
