"""Network tier: env_suffix validation and the lookup later tiers use."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("bad_suffix", "message"),
    [
        ("Dev", "must start with a lowercase letter"),
        ("dev_1", "only lowercase letters, digits and hyphens"),
        ("", "must not be empty"),
        ("1dev", "must start with a lowercase letter"),
        ("abcdefghijklmno", "at most 14 characters"),
        ("dev-", "must not end with a hyphen"),
    ],
)
@pytest.mark.parametrize("playbook", ["site.yml", "network.yml"])
def test_bad_env_suffix_fails_before_any_aws_call(emulator, run_playbook, bad_suffix, message, playbook):
    vpcs_before = emulator.client("ec2").describe_vpcs()["Vpcs"]
    emulator.reset_calls()
    run = run_playbook(playbook, bad_suffix)
    assert run.rc != 0
    assert any("Invalid env_suffix" in failure and message in failure for failure in run.failures), run.failures
    assert emulator.calls()["total"] == 0
    assert emulator.client("ec2").describe_vpcs()["Vpcs"] == vpcs_before


def test_lookup_names_the_missing_tier(run_playbook, env_suffix):
    run = run_playbook("tests/integration/playbooks/common/network_lookup.yml", env_suffix)
    assert run.rc != 0
    assert any("network tier of env_suffix '%s' was not found" % env_suffix in f for f in run.failures), run.failures
