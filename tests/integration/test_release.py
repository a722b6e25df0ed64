"""Blue/green releases driven against the emulator (R34).

The emulator runs no containers: its ECS services report their desired count
running at once and register one healthy target per task in their target
group (emulator/platform_emulator/ecs_runtime.py).  The test controls what a
release reacts to: a target group's health (POST /_emulator/elbv2/target-health)
and the state of the 5xx alarm (SetAlarmState).  After every step it reads
the listener weights, the services' task definitions and desired counts and
the autoscaling minimums back from the emulator.
"""

from __future__ import annotations

import json
import urllib.request

from platform_state import colour_services, leftovers, listener_weights, scaling_minimums

# Fast waits: the emulator settles at once.
FAST = ("-e", "release_bake_seconds=0", "-e", "release_poll_interval=1", "-e", "release_wait_timeout=2")
# The idle colour is scaled to zero at the end of a release (compute_idle_capacity=0), so every
# step shows in the desired counts; the site run uses the same setting.
IDLE_ZERO = ("-e", "compute_idle_capacity=0")


def release(run_playbook, env_suffix, tag, *args, check=False):
    return run_playbook("release.yml", env_suffix, "-e", "image_tag=%s" % tag, *FAST, *IDLE_ZERO, *args, check=check)


def module_result(run, task_prefix):
    for play in run.result.get("plays", []):
        for task in play.get("tasks", []):
            if task["task"]["name"].startswith(task_prefix):
                return task["hosts"]["localhost"]
    raise AssertionError("no task %r in the run" % task_prefix)


def set_target_health(emulator, target_group_arn, state):
    request = urllib.request.Request(
        emulator.endpoint + "/_emulator/elbv2/target-health",
        data=json.dumps({"target_group_arn": target_group_arn, "state": state}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def target_group_arn(emulator, env_suffix, colour):
    groups = emulator.client("elbv2").describe_target_groups(Names=["tg-payments-%s-%s" % (colour, env_suffix)])
    return groups["TargetGroups"][0]["TargetGroupArn"]


def push_image(emulator, repository_name, tag):
    """Put an image manifest in the repository (the release checks the tag exists)."""
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"digest": "sha256:" + tag.replace(".", "").ljust(64, "0"), "size": 1}, "layers": []}
    emulator.client("ecr").put_image(repositoryName=repository_name, imageManifest=json.dumps(manifest), imageTag=tag)


def ok(run):
    assert run.rc == 0, "\n".join(run.failures) or run.output[-3000:]
    return run


def test_release_and_rollback(emulator, run_playbook, env_suffix):
    ok(run_playbook("site.yml", env_suffix, *IDLE_ZERO))
    repository_name = "ecr-payments-app-%s" % env_suffix
    repository = emulator.client("ecr").describe_repositories(
        repositoryNames=[repository_name])["repositories"][0]["repositoryUri"]
    image = {tag: "%s:%s" % (repository, tag) for tag in ("1.0.0", "1.1.0", "1.2.0")}
    start = colour_services(emulator, env_suffix)
    assert listener_weights(emulator, env_suffix) == {"blue": 100, "green": 0}
    assert (start["blue"]["image"], start["blue"]["desired_count"]) == (image["1.0.0"], 2)
    assert (start["green"]["image"], start["green"]["desired_count"]) == (image["1.0.0"], 0)

    # A tag that was never pushed fails before anything changes.
    emulator.reset_calls()
    missing = release(run_playbook, env_suffix, "1.1.0")
    assert missing.rc != 0
    assert any("not found in ECR repository" in f for f in missing.failures), missing.failures
    assert emulator.calls()["mutating"] == 0
    for tag in ("1.1.0", "1.2.0"):
        push_image(emulator, repository_name, tag)

    # --check: tells what it would do first, changes nothing.
    emulator.reset_calls()
    check = ok(release(run_playbook, env_suffix, "1.1.0", check=True))
    predicted = module_result(check, "Release ")
    assert predicted["changed"] is True
    assert [a["action"] for a in predicted["actions"]] == ["deploy_idle"]
    assert emulator.calls()["mutating"] == 0
    assert colour_services(emulator, env_suffix) == start

    # Step by step (release_max_actions=1 stops after each change; a re-run continues).
    ok(release(run_playbook, env_suffix, "1.1.0", "-e", "release_max_actions=1"))
    step = colour_services(emulator, env_suffix)
    assert listener_weights(emulator, env_suffix) == {"blue": 100, "green": 0}
    assert step["green"]["image"] == image["1.1.0"] and step["green"]["revision"] == start["green"]["revision"] + 1
    assert step["green"]["desired_count"] == 2 and step["blue"] == start["blue"]
    assert scaling_minimums(emulator, env_suffix) == {"blue": 2, "green": 2}

    ok(release(run_playbook, env_suffix, "1.1.0", "-e", "release_max_actions=1"))
    assert listener_weights(emulator, env_suffix) == {"blue": 90, "green": 10}
    assert colour_services(emulator, env_suffix) == step

    ok(release(run_playbook, env_suffix, "1.1.0", "-e", "release_max_actions=1"))
    assert listener_weights(emulator, env_suffix) == {"blue": 50, "green": 50}

    # To the end: 100 on green, blue scaled to zero (compute_idle_capacity=0), floors follow.
    done = ok(release(run_playbook, env_suffix, "1.1.0"))
    actions = [a["action"] for a in module_result(done, "Release ")["actions"]]
    assert actions == ["bake", "shift", "bake", "finish", "done"]
    final = colour_services(emulator, env_suffix)
    assert listener_weights(emulator, env_suffix) == {"blue": 0, "green": 100}
    assert final["green"] == step["green"]
    assert final["blue"]["desired_count"] == 0 and final["blue"]["image"] == image["1.0.0"]
    assert scaling_minimums(emulator, env_suffix) == {"green": 2, "blue": 0}

    # Re-running the finished release, and the site, changes nothing: neither fights the release.
    emulator.reset_calls()
    again = ok(release(run_playbook, env_suffix, "1.1.0"))
    assert again.changed == 0 and emulator.calls()["mutating"] == 0
    site = ok(run_playbook("site.yml", env_suffix, *IDLE_ZERO))
    # Only the outputs file changes: its live colour is green now.
    assert site.changed_tasks() == ["Write the outputs file"], site.changed_tasks()
    assert colour_services(emulator, env_suffix) == final
    assert listener_weights(emulator, env_suffix) == {"blue": 0, "green": 100}

    # A release whose new colour never gets healthy is abandoned before any traffic moves.
    blue_group = target_group_arn(emulator, env_suffix, "blue")
    set_target_health(emulator, blue_group, "unhealthy")
    failed = release(run_playbook, env_suffix, "1.2.0")
    assert failed.rc != 0
    assert any("was rolled back" in f and "not healthy" in f for f in failed.failures), failed.failures
    abandoned = colour_services(emulator, env_suffix)
    assert listener_weights(emulator, env_suffix) == {"blue": 0, "green": 100}
    assert abandoned["blue"]["image"] == image["1.0.0"]  # back on the revision it ran before
    set_target_health(emulator, blue_group, "healthy")

    # An alarm firing mid-shift rolls the traffic and the revision back by itself.
    ok(release(run_playbook, env_suffix, "1.2.0", "-e", "release_max_actions=2"))
    assert listener_weights(emulator, env_suffix) == {"blue": 10, "green": 90}
    assert colour_services(emulator, env_suffix)["blue"]["image"] == image["1.2.0"]
    emulator.client("cloudwatch").set_alarm_state(
        AlarmName="alarm-payments-alb-5xx-rate-%s" % env_suffix, StateValue="ALARM", StateReason="test: 5xx")
    rolled = release(run_playbook, env_suffix, "1.2.0")
    assert rolled.rc != 0
    assert any("was rolled back" in f and "alarm-payments-alb-5xx-rate" in f for f in rolled.failures), rolled.failures
    after = colour_services(emulator, env_suffix)
    assert listener_weights(emulator, env_suffix) == {"blue": 0, "green": 100}
    assert after["blue"]["image"] == image["1.0.0"] and after["green"] == final["green"]
    emulator.client("cloudwatch").set_alarm_state(
        AlarmName="alarm-payments-alb-5xx-rate-%s" % env_suffix, StateValue="OK", StateReason="test: recovered")

    # Explicit rollback: all the traffic back to blue (it still runs its tasks), floors follow.
    back = ok(run_playbook("rollback.yml", env_suffix, *IDLE_ZERO))
    assert module_result(back, "Roll back")["changed"] is True
    assert listener_weights(emulator, env_suffix) == {"blue": 100, "green": 0}
    assert scaling_minimums(emulator, env_suffix) == {"blue": 2, "green": 0}
    named = ok(run_playbook("rollback.yml", env_suffix, "-e", "rollback_to=blue", *IDLE_ZERO))
    assert named.changed == 0

    ok(run_playbook("teardown.yml", env_suffix))
    assert leftovers(emulator, env_suffix) == {}


def test_release_refuses_a_bad_tag_before_any_aws_call(emulator, run_playbook, env_suffix):
    emulator.reset_calls()
    run = run_playbook("release.yml", env_suffix, "-e", "image_tag=bad:tag")
    assert run.rc != 0
    assert any("Give the image tag to release" in f for f in run.failures), run.failures
    assert emulator.calls()["total"] == 0


def test_release_names_the_missing_edge_tier(run_playbook, env_suffix):
    run = run_playbook("release.yml", env_suffix, "-e", "image_tag=1.2.3")
    assert run.rc != 0
    assert any("edge tier of env_suffix '%s' was not found" % env_suffix in f for f in run.failures), run.failures
