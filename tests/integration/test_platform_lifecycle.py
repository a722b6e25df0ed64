"""The platform end to end (network, data, backup verification, edge, compute):
check, apply, idempotency, state read back, no secret in any output, teardown."""

from __future__ import annotations

import json
import os

from platform_state import (
    EMULATOR_MASTER_PASSWORD,
    assert_backup_verification_state,
    assert_compute_state,
    assert_database_state,
    assert_edge_state,
    assert_network_state,
    leftovers,
)


def assert_converged(run) -> None:
    assert run.rc == 0, "\n".join(run.failures) or run.output[-3000:]
    assert EMULATOR_MASTER_PASSWORD not in run.output


def test_platform_lifecycle(emulator, run_playbook, env_suffix):
    # 1. --check on a brand-new environment: runs to the end, predicts changes, calls nothing mutating.
    emulator.reset_calls()
    check = run_playbook("site.yml", env_suffix, check=True)
    assert_converged(check)
    assert check.changed > 0
    assert emulator.calls()["mutating"] == 0, [c for c in emulator.calls()["calls"] if c["mutating"]]
    assert leftovers(emulator, env_suffix) == {}

    # 2. Apply (verbose: not even -v may show the master password), then read the state back.
    apply = run_playbook("site.yml", env_suffix, "-v")
    assert_converged(apply)
    assert apply.changed > 0
    assert_network_state(emulator, env_suffix)
    cluster = assert_database_state(emulator, env_suffix)
    assert_backup_verification_state(emulator, env_suffix, cluster)
    with open(os.path.join(run_playbook.outputs_dir, env_suffix + ".json"), encoding="utf-8") as handle:
        outputs = json.load(handle)
    assert outputs["vpc_id"].startswith("vpc-") and outputs["env_suffix"] == env_suffix
    assert outputs["db_endpoint"] == cluster["Endpoint"]
    assert outputs["db_reader_endpoint"] == cluster["ReaderEndpoint"]
    assert outputs["db_master_secret_arn"] == cluster["MasterUserSecret"]["SecretArn"]
    assert outputs["db_connection"]["sslmode"] == "verify-full"
    assert outputs["db_connection"]["ca_bundle_url"] == (
        "https://truststore.pki.rds.amazonaws.com/%s/%s-bundle.pem" % (emulator.region, emulator.region))
    assert outputs["alerts_topic_arn"].endswith(":sns-payments-alerts-" + env_suffix)
    network = network_of(outputs)
    alb = assert_edge_state(emulator, env_suffix, network)
    assert_compute_state(emulator, env_suffix, network, cluster)
    assert outputs["alb_dns_name"] == alb["DNSName"]
    assert outputs["live_colour"] == "blue"
    assert outputs["ecr_repository_uri"].endswith("/ecr-payments-app-" + env_suffix)
    assert any("no edge_certificate_arn is set" in line for line in apply.output.splitlines())

    # 3. --check --diff on the converged environment: nothing to change.
    recheck = run_playbook("site.yml", env_suffix, check=True, diff=True)
    assert_converged(recheck)
    assert recheck.changed == 0, recheck.changed_tasks()

    # 4. Apply again: changed=0 and not one mutating AWS call.
    emulator.reset_calls()
    again = run_playbook("site.yml", env_suffix)
    assert_converged(again)
    assert again.changed == 0, again.changed_tasks()
    calls = emulator.calls()
    assert calls["total"] > 0
    assert calls["mutating"] == 0, [c for c in calls["calls"] if c["mutating"]]

    # Each tier also runs alone, finding the others by name: still nothing to change.
    for playbook in ("database.yml", "backup_verification.yml", "edge.yml", "compute.yml"):
        alone = run_playbook(playbook, env_suffix)
        assert_converged(alone)
        assert alone.changed == 0, (playbook, alone.changed_tasks())

    # Teardown leaves nothing, and a second teardown succeeds without changes.
    down = run_playbook("teardown.yml", env_suffix)
    assert_converged(down)
    assert leftovers(emulator, env_suffix) == {}
    assert not os.path.exists(os.path.join(run_playbook.outputs_dir, env_suffix + ".json"))
    down_again = run_playbook("teardown.yml", env_suffix)
    assert_converged(down_again)
    assert down_again.changed == 0, down_again.changed_tasks()


def network_of(outputs: dict) -> dict:
    return {
        "vpc_id": outputs["vpc_id"],
        "public_subnets": outputs["subnet_ids"]["public"],
        "private_subnets": outputs["subnet_ids"]["private"],
        "web_sg": outputs["security_group_ids"]["web"],
        "app_sg": outputs["security_group_ids"]["app"],
    }


def test_tiers_alone_name_the_missing_tier(run_playbook, env_suffix):
    database = run_playbook("database.yml", env_suffix)
    assert database.rc != 0
    assert any("network tier of env_suffix '%s' was not found" % env_suffix in f for f in database.failures), \
        database.failures
    for playbook in ("backup_verification.yml", "edge.yml", "compute.yml"):
        alone = run_playbook(playbook, env_suffix)
        assert alone.rc != 0
        assert any("network tier of env_suffix '%s' was not found" % env_suffix in f for f in alone.failures), \
            (playbook, alone.failures)


def test_bad_data_tier_settings_fail_before_any_aws_call(emulator, run_playbook, env_suffix):
    emulator.reset_calls()
    run = run_playbook("database.yml", env_suffix, "-e", "database_min_capacity=4", "-e",
                       "database_backup_retention_days=3")
    assert run.rc != 0
    (failure,) = run.failures
    assert "database_min_capacity must not exceed database_max_capacity" in failure
    assert "database_backup_retention_days must be 7 to 35" in failure
    assert emulator.calls()["total"] == 0
