"""Shared behaviour: the emulator started on demand, and the collection as a built artifact."""

from __future__ import annotations

import glob
import os
import subprocess
import urllib.request

from conftest import BIN, ROOT, _emulator_cli, _free_port


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint + "/_emulator/health", timeout=2) as resp:  # noqa: S310 - loopback
            return resp.status == 200
    except OSError:
        return False


def test_play_starts_the_emulator_when_it_is_not_running(run_playbook, env_suffix, tmp_path):
    port = _free_port()
    endpoint = "http://127.0.0.1:%d" % port
    assert not _answers(endpoint)
    state_dir = os.path.join(ROOT, ".emulator")
    try:
        run = run_playbook(
            "tests/integration/playbooks/common/preflight.yml", env_suffix, endpoint=endpoint
        )
        assert run.rc == 0, "\n".join(run.failures) or run.output[-3000:]
        assert _answers(endpoint)
        # A second run finds it running and changes nothing.
        again = run_playbook("tests/integration/playbooks/common/preflight.yml", env_suffix, endpoint=endpoint)
        assert again.rc == 0 and again.changed == 0, again.changed_tasks()
    finally:
        _emulator_cli("stop", "--port", str(port), state_dir=state_dir)
    assert not _answers(endpoint)


def test_play_says_how_to_start_the_emulator_when_autostart_is_off(run_playbook, env_suffix):
    endpoint = "http://127.0.0.1:%d" % _free_port()
    run = run_playbook(
        "tests/integration/playbooks/common/preflight.yml",
        env_suffix,
        "-e",
        "common_emulator_autostart=false",
        endpoint=endpoint,
    )
    assert run.rc != 0
    assert any("No AWS emulator answers at %s" % endpoint in f and "make emulator" in f for f in run.failures), (
        run.failures
    )


def test_built_collection_installs_and_runs_its_playbooks(tmp_path, emulator):
    build_dir = tmp_path / "build"
    subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(build_dir), ROOT],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    (tarball,) = glob.glob(str(build_dir / "fintech-payment_platform-*.tar.gz"))
    install_dir = tmp_path / "collections"
    subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(install_dir), tarball],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    installed = install_dir / "ansible_collections" / "fintech" / "payment_platform"
    for role in ("common", "network", "database", "backup_verification", "edge", "compute"):
        assert (installed / "roles" / role / "meta" / "argument_specs.yml").is_file(), role
    # The Lambda source travels with the collection: the role packs it from there.
    assert (installed / "files" / "lambda" / "backup_verification" / "handler.py").is_file()
    assert not (installed / "collections").exists() and not (installed / ".venv").exists()
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\ncollections_path = %s\n" % install_dir)
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(config),
        PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
    )
    inventory = os.path.join(ROOT, "inventories", "local")
    for playbook in ("site", "teardown", "network", "database", "backup_verification", "edge", "compute", "release",
                     "rollback"):
        proc = subprocess.run(
            [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "fintech.payment_platform.%s" % playbook,
             "--syntax-check"],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # The installed roles run: a bad env_suffix is refused by the installed common role.
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "fintech.payment_platform.site",
         "-e", "env_suffix=Bad_Suffix", "-e", "aws_endpoint_url=%s" % emulator.endpoint],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert proc.returncode != 0
    assert "Invalid env_suffix" in proc.stdout and str(installed) in proc.stdout, proc.stdout[-2000:]
