# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import release

OLD = "repo/app:1.0"
NEW = "repo/app:2.0"
TD_BLUE = "arn:aws:ecs:ap-southeast-1:123456789012:task-definition/app-blue:7"
TD_BLUE_PREV = "arn:aws:ecs:ap-southeast-1:123456789012:task-definition/app-blue:6"
TD_GREEN = "arn:aws:ecs:ap-southeast-1:123456789012:task-definition/app-green:4"
TD_GREEN_PREV = "arn:aws:ecs:ap-southeast-1:123456789012:task-definition/app-green:3"
ALARMS = ["payments-dev-latency", "payments-dev-5xx"]


def colour(image=OLD, count=4, task_definition=TD_BLUE, previous=TD_BLUE_PREV, **overrides):
    state = {
        "image": image,
        "task_definition": task_definition,
        "previous_task_definition": previous,
        "desired_count": count,
        "running_count": count,
        "service_stable": True,
        "healthy_targets": count,
        "unhealthy_targets": 0,
    }
    state.update(overrides)
    return state


def green(image=NEW, count=4, task_definition=TD_GREEN, previous=TD_GREEN_PREV, **overrides):
    return colour(image, count, task_definition, previous, **overrides)


def obs(blue_weight, blue=None, green_state=None, alarms=None):
    return release.observe(
        {"blue": blue_weight, "green": 100 - blue_weight},
        colour() if blue is None else blue,
        green() if green_state is None else green_state,
        alarms,
    )


def action(name, colour_name, reason, blue_weight, services=None):
    return {
        "action": name,
        "colour": colour_name,
        "reason": reason,
        "weights": {"blue": blue_weight, "green": 100 - blue_weight},
        "services": services or {},
    }


UNHEALTHY = {
    "unhealthy targets": {"unhealthy_targets": 1, "healthy_targets": 3},
    "missing targets": {"healthy_targets": 2},
    "no healthy target": {"service_stable": False, "healthy_targets": 0},
    "no task running": {"service_stable": False, "running_count": 0, "healthy_targets": 0},
}
# A colour taking traffic while the autoscaler adds tasks: not a reason to roll back.
SCALING_OUT = {"desired_count": 6, "running_count": 4, "healthy_targets": 4, "service_stable": False}


def failing_text(state):
    return (
        f"green is failing: service {'stable' if state['service_stable'] else 'not stable'}, "
        f"{state['running_count']}/{state['desired_count']} tasks running, "
        f"{state['healthy_targets']} healthy and {state['unhealthy_targets']} unhealthy targets"
    )


def problem_text(state):
    return (
        f"green is not healthy: service {'stable' if state['service_stable'] else 'not stable'}, "
        f"{state['running_count']}/{state['desired_count']} tasks running, "
        f"{state['healthy_targets']} healthy and {state['unhealthy_targets']} unhealthy targets"
    )


# --- live_colour ------------------------------------------------------------


@pytest.mark.parametrize(
    "weights, expected",
    [
        ({"blue": 100, "green": 0}, "blue"),
        ({"blue": 0, "green": 100}, "green"),
        ({"blue": 90, "green": 10}, "blue"),
        ({"blue": 10, "green": 90}, "green"),
        ({"blue": 49, "green": 51}, "green"),
    ],
)
def test_live_colour(weights, expected):
    assert release.live_colour(weights) == expected


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"blue": 50, "green": 50}, "no live colour: the listener splits traffic evenly (blue 50 / green 50)"),
        ({"blue": 100}, "weights must have exactly the keys blue and green: got blue"),
        ({"blue": 100, "green": 0, "red": 0}, "weights must have exactly the keys blue and green: got blue, green, red"),
        ({"blue": 90, "green": 20}, "weights must add up to 100: got blue 90 + green 20"),
        ({"blue": True, "green": 0}, "weight of blue must be an integer between 0 and 100: got True"),
        ({"blue": 101, "green": -1}, "weight of blue must be an integer between 0 and 100: got 101; "
         "weight of green must be an integer between 0 and 100: got -1"),
        ([100, 0], "weights must be a dict with the keys blue and green: got [100, 0]"),
    ],
)
def test_live_colour_errors(weights, message):
    with pytest.raises(release.ReleaseError) as exc:
        release.live_colour(weights)
    assert str(exc.value) == message


# --- validate_steps ---------------------------------------------------------


@pytest.mark.parametrize("steps", [[100], [10, 50, 100], (1, 2, 100), [99, 100]])
def test_validate_steps_valid(steps):
    assert release.validate_steps(steps) == []


@pytest.mark.parametrize(
    "steps, problems",
    [
        ([], ["steps must be a non-empty list of integers ending at 100: got []"]),
        (None, ["steps must be a non-empty list of integers ending at 100: got None"]),
        ("10,100", ["steps must be a non-empty list of integers ending at 100: got '10,100'"]),
        ([0, 100], ["steps[0] must be an integer between 1 and 100: got 0"]),
        ([10, 101], ["steps[1] must be an integer between 1 and 100: got 101"]),
        ([10.5, True, 100], [
            "steps[0] must be an integer between 1 and 100: got 10.5",
            "steps[1] must be an integer between 1 and 100: got True",
        ]),
        ([50, 10, 100], ["steps must be strictly increasing: steps[1] = 10 follows steps[0] = 50"]),
        ([10, 10, 100], ["steps must be strictly increasing: steps[1] = 10 follows steps[0] = 10"]),
        ([10, 50], ["the last step must be 100 (all traffic on the new colour): got 50"]),
        ([100, 50], [
            "steps must be strictly increasing: steps[1] = 50 follows steps[0] = 100",
            "the last step must be 100 (all traffic on the new colour): got 50",
        ]),
    ],
)
def test_validate_steps_problems(steps, problems):
    assert release.validate_steps(steps) == problems


# --- observe and the AWS-shape helpers --------------------------------------


def test_observe_normalises():
    observation = release.observe(
        {"blue": 100, "green": 0},
        {"image": OLD, "desired_count": 2, "running_count": 2, "service_stable": 1, "healthy_targets": 2},
        {"image": None, "desired_count": None},
        ("b", "a", "b"),
    )
    assert observation == {
        "weights": {"blue": 100, "green": 0},
        "colours": {
            "blue": {
                "image": OLD,
                "task_definition": None,
                "previous_task_definition": None,
                "service_stable": True,
                "desired_count": 2,
                "running_count": 2,
                "healthy_targets": 2,
                "unhealthy_targets": 0,
            },
            "green": {
                "image": None,
                "task_definition": None,
                "previous_task_definition": None,
                "service_stable": False,
                "desired_count": 0,
                "running_count": 0,
                "healthy_targets": 0,
                "unhealthy_targets": 0,
            },
        },
        "alarms_in_alarm": ["a", "b"],
    }


@pytest.mark.parametrize(
    "blue, message",
    [
        ({"desired_count": -1}, "desired_count of blue must be a non-negative integer: got -1"),
        ({"healthy_targets": "2"}, "healthy_targets of blue must be a non-negative integer: got '2'"),
        (None, "state of blue must be a dict: got None"),
    ],
)
def test_observe_errors(blue, message):
    with pytest.raises(release.ReleaseError) as exc:
        release.observe({"blue": 100, "green": 0}, blue, {})
    assert str(exc.value) == message


def test_container_image():
    task_definition = {"containerDefinitions": [{"name": "app", "image": NEW}, {"name": "xray", "image": "xray:3"}]}
    assert release.container_image(task_definition, "app") == NEW
    assert release.container_image({"containerDefinitions": [{"name": "app", "image": OLD}]}) == OLD
    with pytest.raises(release.ReleaseError, match="has 2 containers"):
        release.container_image(task_definition)
    with pytest.raises(release.ReleaseError, match="no container named 'web'"):
        release.container_image(task_definition, "web")


def test_target_health_counts():
    states = ["healthy", "healthy", "unhealthy", "initial", "draining", "unavailable", "unused"]
    descriptions = [{"Target": {"Id": str(i)}, "TargetHealth": {"State": state}} for i, state in enumerate(states)]
    assert release.target_health_counts(descriptions) == (2, 2)
    assert release.target_health_counts([]) == (0, 0)


@pytest.mark.parametrize(
    "service, expected",
    [
        ({"status": "ACTIVE", "deployments": [{}], "runningCount": 2, "desiredCount": 2}, True),
        ({"status": "ACTIVE", "deployments": [{}, {}], "runningCount": 2, "desiredCount": 2}, False),
        ({"status": "ACTIVE", "deployments": [{}], "runningCount": 1, "desiredCount": 2}, False),
        ({"status": "DRAINING", "deployments": [{}], "runningCount": 2, "desiredCount": 2}, False),
        (None, False),
    ],
)
def test_service_stable(service, expected):
    assert release.service_stable(service) is expected


# --- plan_release: the healthy path, step by step ---------------------------


def test_healthy_release_walkthrough():
    """Drive the planner like the release module does, applying each action to the observation."""
    blue = colour(OLD, 4)
    green_state = green(OLD, 2, task_definition=TD_GREEN_PREV, previous=None)
    weights = 100
    last = None
    seen = []
    for _attempt in range(20):
        step = release.plan_release(obs(weights, blue, green_state), NEW, last_action=last)
        seen.append((step["action"], step["weights"]["green"]))
        if step["action"] in ("noop", "done"):
            break
        if step["action"] == "deploy_idle":
            green_state = green(NEW, step["services"]["green"]["desired_count"], service_stable=False, healthy_targets=0)
        elif step["action"] == "wait_stable":
            green_state = green(NEW, 4)
        elif step["action"] == "finish":
            blue = colour(OLD, step["services"]["blue"]["desired_count"])
        weights = step["weights"]["blue"]
        last = step["action"]
    assert seen == [
        ("deploy_idle", 0),
        ("wait_stable", 0),
        ("shift", 10),
        ("bake", 10),
        ("shift", 50),
        ("bake", 50),
        ("shift", 100),
        ("bake", 100),
        ("finish", 100),
        ("done", 100),
    ]
    # and a re-run of the finished release changes nothing
    assert release.plan_release(obs(weights, blue, green_state), NEW) == action(
        "noop", "green", f"{NEW} is already live on green with all the traffic", 0
    )


@pytest.mark.parametrize(
    "blue_weight, blue, green_state, last_action, expected",
    [
        pytest.param(
            100, colour(OLD, 4), green(OLD, 2, task_definition=TD_GREEN_PREV), None,
            action("deploy_idle", "green", f"deploying {NEW} on green with 4 tasks (as blue)", 100,
                   {"green": {"image": NEW, "desired_count": 4}}),
            id="deploy-idle",
        ),
        pytest.param(
            100, colour(OLD, 4), green(NEW, 0), None,
            action("deploy_idle", "green", f"deploying {NEW} on green with 4 tasks (as blue)", 100,
                   {"green": {"desired_count": 4}}),
            id="deploy-idle-scales-idle-already-on-image",
        ),
        pytest.param(
            0, colour(NEW, 2), green(OLD, 3), None,
            action("deploy_idle", "blue", f"deploying {NEW} on blue with 3 tasks (as green)", 0,
                   {"blue": {"desired_count": 3}}),
            id="deploy-idle-blue",
        ),
        pytest.param(
            100, colour(OLD, 4), green(NEW, 4, service_stable=False, healthy_targets=0), "deploy_idle",
            action("wait_stable", "green",
                   "waiting for green: green is not healthy: service not stable, 4/4 tasks running, "
                   "0 healthy and 0 unhealthy targets", 100),
            id="wait-stable",
        ),
        pytest.param(
            100, colour(OLD, 4), green(NEW, 4), "wait_stable",
            action("shift", "green", "shifting 10% of the traffic to green", 90),
            id="first-shift",
        ),
        pytest.param(
            90, colour(OLD, 4), green(NEW, 4), "shift",
            action("bake", "green", f"baking {NEW} on green at 10%", 90),
            id="bake-after-shift",
        ),
        pytest.param(
            90, colour(OLD, 4), green(NEW, 4), "bake",
            action("shift", "green", "shifting 50% of the traffic to green", 50),
            id="shift-after-bake",
        ),
        pytest.param(
            50, colour(OLD, 4), green(NEW, 4), "bake",
            action("shift", "green", "shifting 100% of the traffic to green", 0),
            id="shift-to-100-from-a-tie",
        ),
        pytest.param(
            0, colour(OLD, 4), green(NEW, 4), "shift",
            action("bake", "green", f"baking {NEW} on green at 100 before scaling blue down", 0),
            id="bake-at-100",
        ),
        pytest.param(
            0, colour(OLD, 4), green(NEW, 4), "bake",
            action("finish", "green", "scaling blue down to 2 tasks (minimum)", 0, {"blue": {"desired_count": 2}}),
            id="finish",
        ),
        pytest.param(
            0, colour(OLD, 2), green(NEW, 4), "finish",
            action("done", "green", f"{NEW} is live on green; blue is at 2 tasks", 0),
            id="done",
        ),
    ],
)
def test_plan_release_steps(blue_weight, blue, green_state, last_action, expected):
    assert release.plan_release(obs(blue_weight, blue, green_state), NEW, last_action=last_action) == expected


def test_finish_to_zero_and_custom_steps():
    observation = obs(0, colour(OLD, 4), green(NEW, 4))
    assert release.plan_release(observation, NEW, old_colour_final="zero", last_action="bake") == action(
        "finish", "green", "scaling blue down to 0 tasks (zero)", 0, {"blue": {"desired_count": 0}}
    )
    assert release.plan_release(obs(0, colour(OLD, 0), green(NEW, 4)), NEW, old_colour_final="zero") == action(
        "noop", "green", f"{NEW} is already live on green with all the traffic", 0
    )
    assert release.plan_release(obs(100), NEW, steps=[25, 100], last_action="wait_stable") == action(
        "shift", "green", "shifting 25% of the traffic to green", 75
    )
    assert release.plan_release(obs(100), NEW, steps=[100], last_action="wait_stable") == action(
        "shift", "green", "shifting 100% of the traffic to green", 0
    )
    assert release.plan_release(obs(0, colour(OLD, 4)), NEW, minimum=4) == action(
        "noop", "green", f"{NEW} is already live on green with all the traffic", 0
    )


# --- plan_release: unhealthy at each step, alarms ---------------------------


@pytest.mark.parametrize("kind", sorted(UNHEALTHY))
@pytest.mark.parametrize("blue_weight", [90, 50, 0], ids=["at-10", "at-50", "at-100"])
@pytest.mark.parametrize("last_action", ["shift", "bake", None])
def test_unhealthy_at_each_step_rolls_back(kind, blue_weight, last_action):
    state = green(NEW, 4, **UNHEALTHY[kind])
    observation = obs(blue_weight, colour(OLD, 4), state)
    if blue_weight == 0 and last_action is None:
        # All the traffic is on green and this run shifted nothing: blue may be the colour
        # a rollback moved away from, so the planner refuses instead of sending traffic there.
        with pytest.raises(release.ReleaseError, match="Not finishing the release: investigate, or roll back"):
            release.plan_release(observation, NEW, last_action=last_action)
        return
    result = release.plan_release(observation, NEW, last_action=last_action)
    assert result == action(
        "rollback", "green", f"rolling back to blue: {failing_text(state)}", 100,
        {"green": {"task_definition": TD_GREEN_PREV}},
    )


@pytest.mark.parametrize("blue_weight", [90, 50, 0], ids=["at-10", "at-50", "at-100"])
def test_scaling_out_while_taking_traffic_is_not_a_failure(blue_weight):
    state = green(NEW, **SCALING_OUT)
    result = release.plan_release(obs(blue_weight, colour(OLD, 4), state), NEW, last_action="shift")
    assert result["action"] == "bake"


def test_live_image_failing_with_the_old_colour_up_is_not_rolled_back_blindly():
    # After rollback.yml moved traffic back to blue, green (the bad image) keeps its tasks.
    # Releasing blue's image again while an alarm fires must not send the traffic to green.
    observation = obs(100, colour(NEW, 4), colour(OLD, 4, task_definition=TD_GREEN), alarms=ALARMS)
    with pytest.raises(release.ReleaseError, match="Not finishing the release"):
        release.plan_release(observation, NEW)


def test_circuit_breaker_rollback_of_the_idle_colour_abandons_the_release():
    # deploy_idle put green on NEW; ECS's circuit breaker put it back on OLD.
    observation = obs(100, colour(OLD, 4), green(OLD, 4))
    for last_action in ("deploy_idle", "wait_stable"):
        result = release.plan_release(observation, NEW, last_action=last_action)
        assert result["action"] == "rollback" and result["weights"] == {"blue": 100, "green": 0}
        assert "ECS rolled the deployment" in result["reason"]
    # On a fresh run the same observation is simply a release to deploy.
    assert release.plan_release(observation, NEW)["action"] == "deploy_idle"


def test_deploy_idle_only_scales_a_colour_already_on_the_image():
    observation = obs(100, colour(OLD, 4), green(NEW, 2))
    assert release.plan_release(observation, NEW)["services"] == {"green": {"desired_count": 4}}


@pytest.mark.parametrize("blue_weight", [90, 50, 0], ids=["at-10", "at-50", "at-100"])
def test_alarm_firing_rolls_back(blue_weight):
    result = release.plan_release(obs(blue_weight, alarms=ALARMS), NEW, last_action="bake")
    assert result == action(
        "rollback", "green", "rolling back to blue: alarms in ALARM: payments-dev-5xx, payments-dev-latency", 100,
        {"green": {"task_definition": TD_GREEN_PREV}},
    )


def test_rollback_without_previous_revision_only_moves_traffic():
    state = green(NEW, 4, unhealthy_targets=4, healthy_targets=0, previous=None)
    assert release.plan_release(obs(50, green_state=state), NEW) == action(
        "rollback", "green", f"rolling back to blue: {failing_text(state)}", 100
    )


def test_alarm_before_first_shift_abandons_release():
    assert release.plan_release(obs(100, alarms=["payments-dev-5xx"]), NEW, last_action="wait_stable") == action(
        "rollback", "green", "abandoning the release before shifting: alarms in ALARM: payments-dev-5xx", 100,
        {"green": {"task_definition": TD_GREEN_PREV}},
    )


def test_idle_never_stable_abandons_release_after_timeout():
    state = green(NEW, 4, service_stable=False, healthy_targets=1, unhealthy_targets=3)
    assert release.plan_release(obs(100, green_state=state), NEW, last_action="wait_stable", wait_expired=True) == action(
        "rollback", "green", f"abandoning the release: {problem_text(state)} after waiting", 100,
        {"green": {"task_definition": TD_GREEN_PREV}},
    )


def test_alarms_do_not_block_a_noop():
    assert release.plan_release(obs(0, colour(OLD, 2), alarms=ALARMS), NEW)["action"] == "noop"


# --- plan_release: re-runs --------------------------------------------------


@pytest.mark.parametrize(
    "blue_weight, blue, expected",
    [
        pytest.param(
            90, colour(OLD, 4), action("bake", "green", f"baking {NEW} on green at 10%", 90),
            id="interrupted-at-10-rebakes-then-continues",
        ),
        pytest.param(
            50, colour(OLD, 4), action("bake", "green", f"baking {NEW} on green at 50%", 50),
            id="interrupted-at-50-tie",
        ),
        pytest.param(
            0, colour(OLD, 4), action("bake", "green", f"baking {NEW} on green at 100 before scaling blue down", 0),
            id="interrupted-before-finish",
        ),
        pytest.param(
            0, colour(OLD, 2), action("noop", "green", f"{NEW} is already live on green with all the traffic", 0),
            id="finished-release",
        ),
        pytest.param(
            0, colour(OLD, 1), action("noop", "green", f"{NEW} is already live on green with all the traffic", 0),
            id="finished-release-old-colour-below-minimum",
        ),
    ],
)
def test_rerun(blue_weight, blue, expected):
    assert release.plan_release(obs(blue_weight, blue), NEW) == expected


@pytest.mark.parametrize("blue_weight, expected_step", [(90, 50), (50, 100), (70, 50), (99, 10)])
def test_interrupted_release_continues_from_current_weight(blue_weight, expected_step):
    result = release.plan_release(obs(blue_weight), NEW, last_action="bake")
    assert result == action(
        "shift", "green", f"shifting {expected_step}% of the traffic to green", 100 - expected_step
    )


@pytest.mark.parametrize(
    "blue_weight, live, blue, green_state",
    [
        (100, "blue", colour(NEW, 4), green(OLD, 0)),
        (100, "blue", colour(NEW, 4), green(OLD, 2)),
        (0, "green", colour(OLD, 2), green(NEW, 4)),
        (0, "green", colour(NEW, 0), green(NEW, 4)),
    ],
)
def test_release_of_image_already_live(blue_weight, live, blue, green_state):
    observation = obs(blue_weight, blue, green_state)
    assert release.plan_release(observation, NEW) == action(
        "noop", live, f"{NEW} is already live on {live} with all the traffic", blue_weight
    )


# --- plan_release: refusals -------------------------------------------------


@pytest.mark.parametrize(
    "blue, green_state, which",
    [
        (colour(OLD), green("repo/app:1.5"), "neither colour runs"),
        (colour(NEW), green(NEW), "both colours run"),
    ],
)
def test_mid_shift_of_another_release_is_refused(blue, green_state, which):
    with pytest.raises(release.ReleaseError) as exc:
        release.plan_release(obs(50, blue, green_state), NEW)
    assert str(exc.value) == (
        f"the listener is mid-shift (blue 50 / green 50) and {which} {NEW}: "
        "roll back explicitly (rollback.yml) before releasing"
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target_image": ""}, "target_image must be a non-empty string: got ''"),
        ({"steps": [50, 10]}, "steps must be strictly increasing: steps[1] = 10 follows steps[0] = 50; "
                              "the last step must be 100 (all traffic on the new colour): got 10"),
        ({"old_colour_final": "keep"}, "old_colour_final must be one of minimum, zero: got 'keep'"),
        ({"minimum": -1}, "minimum must be a non-negative integer: got -1"),
        ({"last_action": "jump"}, "last_action must be one of noop, deploy_idle, wait_stable, shift, bake, "
                                  "rollback, finish, done or None: got 'jump'"),
        ({"observation": {"weights": {"blue": 100, "green": 0}}}, "observation must be a dict built by observe()"),
    ],
)
def test_plan_release_invalid_input(kwargs, message):
    arguments = {"observation": obs(100), "target_image": NEW}
    arguments.update(kwargs)
    with pytest.raises(release.ReleaseError) as exc:
        release.plan_release(**arguments)
    assert str(exc.value) == message


# --- plan_rollback ----------------------------------------------------------


@pytest.mark.parametrize(
    "blue_weight, blue, green_state, to_colour, expected",
    [
        pytest.param(
            0, colour(OLD, 2), green(NEW, 4), None,
            action("deploy_idle", "blue", "scaling blue to 4 tasks (as green) before it takes the traffic", 0,
                   {"blue": {"desired_count": 4}}),
            id="back-to-warm-blue-scales-it-up-first",
        ),
        pytest.param(
            0, colour(OLD, 4), green(NEW, 4), None,
            action("rollback", "blue", f"rolling back to blue ({OLD})", 100),
            id="back-to-blue-once-scaled",
        ),
        pytest.param(
            100, colour(NEW, 4), green(OLD, 4), None,
            action("rollback", "green", f"rolling back to green ({OLD})", 0),
            id="back-to-full-green",
        ),
        pytest.param(
            50, colour(OLD, 4), green(NEW, 4), "blue",
            action("rollback", "blue", f"rolling back to blue ({OLD})", 100),
            id="mid-shift-named-colour",
        ),
        pytest.param(
            100, colour(OLD, 4), green(NEW, 4), "blue",
            action("noop", "blue", "blue already has all the traffic", 100),
            id="already-there",
        ),
        pytest.param(
            0, colour(OLD, 0), green(NEW, 4), None,
            action("refuse", "blue", "cannot roll back to blue: it runs no tasks (scaled to zero)", 0),
            id="refuse-scaled-to-zero",
        ),
        pytest.param(
            0, colour(OLD, 4, unhealthy_targets=1, healthy_targets=3), green(NEW, 4), None,
            action("wait_stable", "blue", "waiting for blue: blue is not healthy: service stable, 4/4 tasks running, "
                   "3 healthy and 1 unhealthy targets", 0),
            id="waits-for-unhealthy",
        ),
        pytest.param(
            0, colour(OLD, 4, service_stable=False), green(NEW, 4), None,
            action("wait_stable", "blue", "waiting for blue: blue is not healthy: service not stable, 4/4 tasks running, "
                   "4 healthy and 0 unhealthy targets", 0),
            id="waits-for-not-stable",
        ),
    ],
)
def test_plan_rollback(blue_weight, blue, green_state, to_colour, expected):
    assert release.plan_rollback(obs(blue_weight, blue, green_state), to_colour) == expected


def test_plan_rollback_refuses_a_colour_that_never_gets_healthy():
    observation = obs(0, colour(OLD, 4, unhealthy_targets=4, healthy_targets=0), green(NEW, 4))
    result = release.plan_rollback(observation, wait_expired=True)
    assert result["action"] == "refuse" and result["weights"] == {"blue": 0, "green": 100}
    assert result["reason"].startswith("cannot roll back to blue: blue is not healthy")


def test_plan_rollback_mid_shift_needs_colour():
    with pytest.raises(release.ReleaseError) as exc:
        release.plan_rollback(obs(50))
    assert str(exc.value) == "the listener is mid-shift (blue 50 / green 50): name the colour to roll back to"
    with pytest.raises(release.ReleaseError, match="colour must be one of blue, green: got 'red'"):
        release.plan_rollback(obs(100), "red")


# ---------------------------------------------------------------------------
# Translation helpers
# ---------------------------------------------------------------------------

TG = {
    "blue": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-payments-blue-dev/1",
    "green": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-payments-green-dev/2",
}


def _forward(blue, green):
    return [
        {
            "Type": "forward",
            "ForwardConfig": {
                "TargetGroups": [
                    {"TargetGroupArn": TG["blue"], "Weight": blue},
                    {"TargetGroupArn": TG["green"], "Weight": green},
                ],
                "TargetGroupStickinessConfig": {"Enabled": False},
            },
        }
    ]


@pytest.mark.parametrize("blue, green", [(100, 0), (90, 10), (0, 100), (50, 50)])
def test_listener_weights_read_back_forward_config(blue, green):
    assert release.listener_weights(_forward(blue, green), TG) == {"blue": blue, "green": green}


def test_listener_weights_of_a_plain_forward():
    actions = [{"Type": "forward", "TargetGroupArn": TG["green"]}]
    assert release.listener_weights(actions, TG) == {"blue": 0, "green": 100}


def test_listener_weights_scales_relative_weights_to_percent():
    assert release.listener_weights(_forward(3, 1), TG) == {"blue": 75, "green": 25}


@pytest.mark.parametrize(
    "actions, message",
    [
        ([{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS"}}], "one forward"),
        ([], "one forward"),
        ([{"Type": "forward", "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/other/3"}], "neither"),
    ],
)
def test_listener_weights_refuses_other_listeners(actions, message):
    with pytest.raises(release.ReleaseError, match=message):
        release.listener_weights(actions, TG)


def test_forward_actions_round_trip_and_exact_shape():
    actions = release.forward_actions(TG, {"blue": 90, "green": 10})
    assert actions == _forward(90, 10)
    assert release.listener_weights(actions, TG) == {"blue": 90, "green": 10}


def test_forward_actions_refuses_bad_weights():
    with pytest.raises(release.ReleaseError, match="add up to 100"):
        release.forward_actions(TG, {"blue": 90, "green": 20})


def _td(revision):
    return f"arn:aws:ecs:us-east-1:123456789012:task-definition/td-payments-green-dev:{revision}"


def test_revision_number():
    assert release.revision_number(_td(12)) == 12
    with pytest.raises(release.ReleaseError):
        release.revision_number("td-payments-green-dev")


def test_previous_revision_skips_revisions_with_the_same_image():
    revisions = [(_td(1), "repo:1.0"), (_td(2), "repo:1.1"), (_td(3), "repo:1.2"), (_td(4), "repo:1.2"), (_td(5), "repo:2.0")]
    # revision 4 re-registered 1.2 for a settings change: rolling back 1.2 goes to 1.1
    assert release.previous_revision(_td(4), "repo:1.2", revisions) == _td(2)
    assert release.previous_revision(_td(5), "repo:2.0", revisions) == _td(4)
    assert release.previous_revision(_td(1), "repo:1.0", revisions) is None


@pytest.mark.parametrize("action", ["deploy_idle", "shift", "bake", "wait_stable"])
def test_scaling_floors_in_flight_freeze_scale_in(action):
    assert release.scaling_floors(action, {"blue": 90, "green": 10}, 2, 0) == {"blue": 2, "green": 2}
    counts = {"blue": 6, "green": 1}
    assert release.scaling_floors(action, {"blue": 90, "green": 10}, 2, 0, counts) == {"blue": 6, "green": 2}


@pytest.mark.parametrize("action", ["finish", "rollback", "done", "noop"])
def test_scaling_floors_once_settled(action):
    assert release.scaling_floors(action, {"blue": 0, "green": 100}, 3, 1) == {"green": 3, "blue": 1}


def test_ecr_image_reference():
    image = "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/ecr-payments-app-dev:1.4.2"
    assert release.ecr_image_reference(image) == {
        "account": "123456789012", "region": "ap-southeast-1", "repository": "ecr-payments-app-dev", "tag": "1.4.2",
    }
    assert release.ecr_image_reference("public.ecr.aws/xray/aws-xray-daemon:3.3.13") is None
    assert release.ecr_image_reference("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:" + "a" * 64) is None
