# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The release driver's loop: what it executes, in which order, and when it stops.

The AWS reads are replaced by a scripted sequence of observations and the
writes by a recorder, so every path of the loop runs without AWS; the AWS
shapes themselves are covered by the planner's translation tests and the
integration test against the emulator.
"""

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.fintech.payment_platform.plugins.module_utils import release
from ansible_collections.fintech.payment_platform.plugins.modules import blue_green_release as module_under_test

OLD = "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/app:1.0"
NEW = "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/app:2.0"


def state(image, count, **overrides):
    result = {
        "image": image,
        "task_definition": "arn:aws:ecs:ap-southeast-1:123456789012:task-definition/td:%d" % (2 if image == NEW else 1),
        "previous_task_definition": "arn:aws:ecs:ap-southeast-1:123456789012:task-definition/td:1" if image == NEW else None,
        "desired_count": count,
        "running_count": count,
        "service_stable": True,
        "healthy_targets": count,
        "unhealthy_targets": 0,
    }
    result.update(overrides)
    return result


def observation(blue_weight, blue, green, alarms=None):
    return release.observe({"blue": blue_weight, "green": 100 - blue_weight}, blue, green, alarms)


class FakeModule:
    def __init__(self, check_mode=False, **params):
        self.check_mode = check_mode
        self.params = dict(
            cluster="ecs", services={"blue": "svc-blue", "green": "svc-green"},
            target_groups={"blue": "tg-b", "green": "tg-g"}, listener_arn="listener", container_name="app",
            mode="release", image=NEW, rollback_to=None, steps=[10, 50, 100], bake_seconds=0, wait_timeout=0,
            poll_interval=1, alarm_names=[], old_colour_final="minimum", minimum=2, live_minimum=2,
            manage_scaling=False, check_image=True, max_actions=0,
        )
        self.params.update(params)

    def client(self, name):
        return None


class ScriptedDriver(module_under_test.Driver):
    """Observations come from a script; executed actions are recorded."""

    def __init__(self, module, observations):
        super().__init__(module)
        self.script = list(observations)
        self.executed = []

    def observe(self):
        self.last_observation = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return self.last_observation

    def execute(self, action, observation):
        self.executed.append(action["action"])


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    monkeypatch.setattr(module_under_test.time, "sleep", lambda seconds: None)


def run(module, observations):
    driver = ScriptedDriver(module, observations)
    result = driver.run(driver.observe())
    return driver, result


def test_a_release_runs_to_the_end():
    script = [
        observation(100, state(OLD, 4), state(OLD, 2)),
        observation(100, state(OLD, 4), state(NEW, 4)),
        observation(90, state(OLD, 4), state(NEW, 4)),
        observation(90, state(OLD, 4), state(NEW, 4)),
        observation(50, state(OLD, 4), state(NEW, 4)),
        observation(50, state(OLD, 4), state(NEW, 4)),
        observation(0, state(OLD, 4), state(NEW, 4)),
        observation(0, state(OLD, 4), state(NEW, 4)),
        observation(0, state(OLD, 2), state(NEW, 4)),
    ]
    driver, (changed, complete, rolled_back, history) = run(FakeModule(), script)
    assert [a["action"] for a in history] == [
        "deploy_idle", "shift", "bake", "shift", "bake", "shift", "bake", "finish", "done"]
    assert driver.executed == ["deploy_idle", "shift", "shift", "shift", "finish"]
    assert (changed, complete, rolled_back) == (True, True, False)


def test_max_actions_stops_after_that_many_changes():
    script = [observation(100, state(OLD, 4), state(OLD, 2)), observation(100, state(OLD, 4), state(NEW, 4))]
    driver, (changed, complete, rolled_back, history) = run(FakeModule(max_actions=1), script)
    assert driver.executed == ["deploy_idle"] and (changed, complete) == (True, False)


def test_check_mode_plans_one_action_and_executes_nothing():
    driver, (changed, complete, rolled_back, history) = run(
        FakeModule(check_mode=True), [observation(100, state(OLD, 4), state(OLD, 2))])
    assert [a["action"] for a in history] == ["deploy_idle"] and driver.executed == []
    assert (changed, complete) == (True, False)


def test_a_refused_rollback_fails_in_check_mode_too():
    script = [observation(0, state(OLD, 0), state(NEW, 4))]
    for check_mode in (False, True):
        with pytest.raises(module_under_test.ReleaseFailed, match="scaled to zero"):
            run(FakeModule(check_mode=check_mode, mode="rollback"), script)


def test_a_release_that_rolls_back_stops_there():
    script = [observation(90, state(OLD, 4), state(NEW, 4), alarms=["alarm-5xx"])]
    driver, (changed, complete, rolled_back, history) = run(FakeModule(), script)
    assert driver.executed == ["rollback"] and rolled_back and not complete
    assert history[-1]["weights"] == {"blue": 100, "green": 0}


def test_an_explicit_rollback_scales_up_waits_then_moves_the_traffic():
    script = [
        observation(0, state(OLD, 2), state(NEW, 4)),
        observation(0, state(OLD, 4, service_stable=False, running_count=2, healthy_targets=2), state(NEW, 4)),
        observation(0, state(OLD, 4), state(NEW, 4)),
    ]
    driver, (changed, complete, rolled_back, history) = run(FakeModule(mode="rollback", image=None), script)
    assert [a["action"] for a in history] == ["deploy_idle", "wait_stable", "rollback"]
    assert driver.executed == ["deploy_idle", "rollback"] and complete and rolled_back


def test_waiting_for_the_idle_colour_gives_up_after_the_timeout():
    unhealthy = state(NEW, 4, unhealthy_targets=4, healthy_targets=0)
    script = [observation(100, state(OLD, 4), unhealthy)]
    driver, (changed, complete, rolled_back, history) = run(FakeModule(wait_timeout=0), script)
    assert [a["action"] for a in history] == ["wait_stable", "rollback"]
    assert rolled_back and "after waiting" in history[-1]["reason"]


def test_rollback_moves_traffic_before_touching_the_failed_colour():
    calls = []
    driver = module_under_test.Driver.__new__(module_under_test.Driver)
    driver.apply_weights = lambda action, observation: calls.append("weights")
    driver.apply_floors = lambda action: calls.append("floors")
    driver.apply_services = lambda action: calls.append("services")
    driver.execute({"action": "rollback"}, None)
    assert calls == ["weights", "floors", "services"]
    calls.clear()
    driver.execute({"action": "deploy_idle"}, None)
    assert calls == ["floors", "services", "weights"]


def test_image_exists_reads_ecr():
    ecr = boto3.client("ecr", region_name="ap-southeast-1", aws_access_key_id="a", aws_secret_access_key="b")
    reference = release.ecr_image_reference(NEW)
    with Stubber(ecr) as stubber:
        expected = {"registryId": "123456789012", "repositoryName": "app", "imageIds": [{"imageTag": "2.0"}]}
        stubber.add_response("describe_images", {"imageDetails": [{"imageTags": ["2.0"]}]}, expected)
        stubber.add_client_error("describe_images", "ImageNotFoundException", expected_params=expected)
        assert module_under_test.image_exists(ecr, reference) is True
        assert module_under_test.image_exists(ecr, reference) is False
