# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure decision logic of the blue-green release (requirement R34).

Nothing in here talks to AWS.  A driver (the release module and the
``release.yml`` / ``rollback.yml`` playbooks) observes the platform, hands the
observation to :func:`plan_release` (or :func:`plan_rollback`), executes the
single action it gets back, observes again and repeats until the action is
``noop`` or ``done``.  The planner is stateless: everything it needs is in the
observation plus the name of the action the driver executed last in this
run, so an interrupted release is resumed by simply running it again.

Inputs
------

*Observation* (built by :func:`observe`)::

    {
        "weights": {"blue": 100, "green": 0},   # listener forward weights, sum 100
        "colours": {
            "blue": {
                "image": "repo/app:1.4",          # image of the service's task definition
                "task_definition": "arn:...:7",    # current revision
                "previous_task_definition": "arn:...:6",  # revision before it, or None
                "desired_count": 4,
                "running_count": 4,
                "service_stable": True,            # one deployment, running == desired
                "healthy_targets": 4,
                "unhealthy_targets": 0,
            },
            "green": {...},
        },
        "alarms_in_alarm": ["payments-dev-5xx"],   # sorted names
    }

A colour is *healthy* when its service is stable, it runs at least its
desired count (and at least one task), at least that many of its targets
are healthy and none is unhealthy.

Release options: ``target_image``, ``steps`` (strictly increasing weights
ending at 100, see :func:`validate_steps`), ``old_colour_final``
(``minimum``: keep the old colour warm at ``minimum`` tasks, ``zero``: scale
it to 0), ``minimum``.  Driver context: ``last_action`` (the action executed
last in this run, ``None`` on the first call) and ``wait_expired`` (the
driver has waited for the idle colour longer than its timeout).

States and transitions
----------------------

The *gaining* colour is the one that runs ``target_image`` (or will), the
*old* colour is the other one.  ``final`` is ``minimum`` or 0.

1. Settled on the target (weights 100/0 on a colour running the target,
   the other colour at no more than ``final`` tasks)::

       -> noop   on the first call of a run (nothing to do: re-run of a
                 finished release, or release of the image already live)
       -> done   when this run executed something before

2. Settled on another image (weights 100/0 on a colour not running the
   target)::

       idle colour off the target image right after this run deployed it
       (the deployment circuit breaker rolled it back)
                                          -> rollback (nothing shifted yet)
       idle colour not on the target image or below the live count
                                          -> deploy_idle (a new revision only
                                             when the image differs)
       idle colour not healthy yet        -> wait_stable
                                             (rollback once wait_expired)
       alarms in ALARM                    -> rollback (nothing shifted yet)
       idle colour healthy, no alarm      -> shift to steps[0]

3. Mid-shift (both weights > 0, exactly one colour runs the target; a
   release interrupted here continues from the current weight)::

       gaining colour failing or alarms   -> rollback (100/0 to the old colour)
       last_action != "bake"              -> bake at the current weight
       otherwise                          -> shift to the next step above the
                                             current weight

4. Shifted, not finished (weights 100/0 on the target colour, the old
   colour still above ``final``)::

       gaining colour failing or alarms   -> rollback (100/0 to the old colour)
                                             when this run shifted; on a fresh
                                             run ReleaseError (the old colour
                                             may be what a rollback left)
       last_action != "bake"              -> bake at 100
       otherwise                          -> finish (old colour to ``final``)

Mid-shift without any colour (or with both colours) on the target image is
another release's business: :class:`ReleaseError` asks for an explicit
rollback.

Explicit rollback (:func:`plan_rollback`, the rollback playbook)::

    target colour already at 100          -> noop
    target colour runs no task            -> refuse (scaled to zero)
    target colour below the other's count -> deploy_idle (desired count only)
    target colour not healthy yet         -> wait_stable (refuse once
                                             wait_expired)
    otherwise                             -> rollback: 100/0 to it

A colour that takes traffic is *failing* (:func:`in_flight_problem`) when a
target is unhealthy, none is healthy, or its settled service has fewer
healthy targets than tasks wanted; tasks still starting (the autoscaler
scaling out as traffic arrives) are not a failure.

The target colour is the other one when the weights are 100/0; mid-shift
it must be named.

Every action is a dict with the same keys: ``action``, ``colour`` (the
colour the action is about), ``reason`` (for humans), ``weights`` (the
listener weights once the action is executed) and ``services`` (per colour,
the changes to make: ``image`` to register a revision with, ``task_definition``
to restore, ``desired_count``; an empty dict when nothing changes).
"""

import re
from copy import deepcopy

COLOURS = ("blue", "green")
DEFAULT_STEPS = (10, 50, 100)
OLD_COLOUR_FINALS = ("minimum", "zero")

NOOP = "noop"
DEPLOY_IDLE = "deploy_idle"
WAIT_STABLE = "wait_stable"
SHIFT = "shift"
BAKE = "bake"
ROLLBACK = "rollback"
FINISH = "finish"
DONE = "done"
REFUSE = "refuse"
ACTIONS = (NOOP, DEPLOY_IDLE, WAIT_STABLE, SHIFT, BAKE, ROLLBACK, FINISH, DONE)

# Actions that change the platform when the driver executes them.
MUTATING_ACTIONS = (DEPLOY_IDLE, SHIFT, ROLLBACK, FINISH)

COUNT_KEYS = ("desired_count", "running_count", "healthy_targets", "unhealthy_targets")


class ReleaseError(ValueError):
    """The observation or the options do not allow a decision."""


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def other(colour):
    """Return the other colour."""
    if colour not in COLOURS:
        raise ReleaseError(f"colour must be one of {', '.join(COLOURS)}: got {colour!r}")
    return COLOURS[1] if colour == COLOURS[0] else COLOURS[0]


def weights_problems(weights):
    """Return the problems of a listener weights dict (empty list when valid)."""
    if not isinstance(weights, dict):
        return [f"weights must be a dict with the keys blue and green: got {weights!r}"]
    problems = []
    if sorted(weights) != sorted(COLOURS):
        problems.append(f"weights must have exactly the keys blue and green: got {', '.join(sorted(map(str, weights))) or 'none'}")
        return problems
    for colour in COLOURS:
        value = weights[colour]
        if not _is_int(value) or not 0 <= value <= 100:
            problems.append(f"weight of {colour} must be an integer between 0 and 100: got {value!r}")
    if not problems and weights["blue"] + weights["green"] != 100:
        problems.append(f"weights must add up to 100: got blue {weights['blue']} + green {weights['green']}")
    return problems


def _check_weights(weights):
    problems = weights_problems(weights)
    if problems:
        raise ReleaseError("; ".join(problems))


def live_colour(weights):
    """Return the colour that receives most of the traffic.

    100/0 is the normal settled state; mid-shift weights (e.g. 90/10) are
    recognised as well.  A tie (50/50) or invalid weights raise ReleaseError.
    """
    _check_weights(weights)
    if weights["blue"] == weights["green"]:
        raise ReleaseError(
            f"no live colour: the listener splits traffic evenly (blue {weights['blue']} / green {weights['green']})"
        )
    return "blue" if weights["blue"] > weights["green"] else "green"


def validate_steps(steps):
    """Return the problems of a list of traffic steps (empty list when valid).

    Steps are the weights given to the new colour one after the other:
    integers between 1 and 100, strictly increasing, the last one 100.
    """
    if not isinstance(steps, (list, tuple)) or not steps:
        return [f"steps must be a non-empty list of integers ending at 100: got {steps!r}"]
    problems = []
    for index, step in enumerate(steps):
        if not _is_int(step) or not 1 <= step <= 100:
            problems.append(f"steps[{index}] must be an integer between 1 and 100: got {step!r}")
    if problems:
        return problems
    for index in range(1, len(steps)):
        if steps[index] <= steps[index - 1]:
            problems.append(
                f"steps must be strictly increasing: steps[{index}] = {steps[index]} "
                f"follows steps[{index - 1}] = {steps[index - 1]}"
            )
    if steps[-1] != 100:
        problems.append(f"the last step must be 100 (all traffic on the new colour): got {steps[-1]}")
    return problems


def _colour_state(colour, state):
    if not isinstance(state, dict):
        raise ReleaseError(f"state of {colour} must be a dict: got {state!r}")
    result = {
        "image": state.get("image"),
        "task_definition": state.get("task_definition"),
        "previous_task_definition": state.get("previous_task_definition"),
        "service_stable": bool(state.get("service_stable", False)),
    }
    for key in COUNT_KEYS:
        value = state.get(key, 0)
        if value is None:
            value = 0
        if not _is_int(value) or value < 0:
            raise ReleaseError(f"{key} of {colour} must be a non-negative integer: got {value!r}")
        result[key] = value
    return result


def observe(weights, blue, green, alarms_in_alarm=None):
    """Build the Observation dict the planners work on.

    ``blue`` and ``green`` hold the state of each colour's service with the
    keys image, task_definition, previous_task_definition, desired_count,
    running_count, service_stable, healthy_targets and unhealthy_targets
    (missing counts are 0, a missing service_stable is False).
    Raises ReleaseError on invalid input.
    """
    _check_weights(weights)
    alarms = sorted(set(alarms_in_alarm or ()))
    return {
        "weights": {"blue": weights["blue"], "green": weights["green"]},
        "colours": {"blue": _colour_state("blue", blue), "green": _colour_state("green", green)},
        "alarms_in_alarm": alarms,
    }


def container_image(task_definition, container_name=None):
    """Return the image of a container of a DescribeTaskDefinition ``taskDefinition``.

    Without container_name the task definition must have exactly one container.
    """
    containers = (task_definition or {}).get("containerDefinitions") or []
    if container_name is None:
        if len(containers) != 1:
            raise ReleaseError(
                f"the task definition has {len(containers)} containers: name the one that carries the release"
            )
        return containers[0].get("image")
    for container in containers:
        if container.get("name") == container_name:
            return container.get("image")
    raise ReleaseError(f"the task definition has no container named {container_name!r}")


def target_health_counts(descriptions):
    """Return (healthy, unhealthy) from DescribeTargetHealth ``TargetHealthDescriptions``.

    Targets that are draining, unused or still in their initial checks count
    as neither.
    """
    healthy = unhealthy = 0
    for description in descriptions or ():
        state = (description.get("TargetHealth") or {}).get("State")
        if state == "healthy":
            healthy += 1
        elif state in ("unhealthy", "unavailable"):
            unhealthy += 1
    return healthy, unhealthy


def service_stable(service):
    """Return True when a DescribeServices service has settled (as the services_stable waiter sees it)."""
    if not service or service.get("status") != "ACTIVE":
        return False
    deployments = service.get("deployments") or []
    return len(deployments) == 1 and service.get("runningCount") == service.get("desiredCount")


def is_healthy(state):
    """Return True when a colour's service is stable and all its targets are healthy."""
    wanted = max(state["desired_count"], 1)
    return (
        state["service_stable"]
        and state["running_count"] >= wanted
        and state["healthy_targets"] >= wanted
        and state["unhealthy_targets"] == 0
    )


def health_problem(colour, state):
    """Return why a colour is not healthy (None when it is)."""
    if is_healthy(state):
        return None
    return (
        f"{colour} is not healthy: service {'stable' if state['service_stable'] else 'not stable'}, "
        f"{state['running_count']}/{state['desired_count']} tasks running, "
        f"{state['healthy_targets']} healthy and {state['unhealthy_targets']} unhealthy targets"
    )


def _action(action, colour, reason, weights, services=None):
    return {
        "action": action,
        "colour": colour,
        "reason": reason,
        "weights": dict(weights),
        "services": deepcopy(services or {}),
    }


def _full_on(colour):
    return {colour: 100, other(colour): 0}


def _check_options(target_image, steps, old_colour_final, minimum):
    problems = validate_steps(steps)
    if not target_image or not isinstance(target_image, str):
        problems.append(f"target_image must be a non-empty string: got {target_image!r}")
    if old_colour_final not in OLD_COLOUR_FINALS:
        problems.append(f"old_colour_final must be one of {', '.join(OLD_COLOUR_FINALS)}: got {old_colour_final!r}")
    if not _is_int(minimum) or minimum < 0:
        problems.append(f"minimum must be a non-negative integer: got {minimum!r}")
    if problems:
        raise ReleaseError("; ".join(problems))


def _check_observation(observation):
    if not isinstance(observation, dict) or not {"weights", "colours", "alarms_in_alarm"} <= set(observation):
        raise ReleaseError("observation must be a dict built by observe()")
    _check_weights(observation["weights"])


def _rollback(gaining, state, reason):
    """Roll back to the old colour: 100/0 to it and the gaining colour's previous revision."""
    services = {}
    if state["previous_task_definition"]:
        services[gaining] = {"task_definition": state["previous_task_definition"]}
    return _action(ROLLBACK, gaining, reason, _full_on(other(gaining)), services)


def in_flight_problem(colour, state):
    """Return why a colour that already takes traffic is failing (None when it is fine).

    Stricter than nothing, looser than :func:`is_healthy`: tasks that are still
    starting (the autoscaler scaling out as traffic arrives) are tolerated;
    any unhealthy target, no healthy target at all, or a settled service with
    fewer healthy targets than tasks wanted is a problem.
    """
    failing = (
        state["unhealthy_targets"] > 0
        or state["healthy_targets"] == 0
        or state["running_count"] == 0
        or (state["service_stable"] and state["healthy_targets"] < state["desired_count"])
    )
    if not failing:
        return None
    return (
        f"{colour} is failing: service {'stable' if state['service_stable'] else 'not stable'}, "
        f"{state['running_count']}/{state['desired_count']} tasks running, "
        f"{state['healthy_targets']} healthy and {state['unhealthy_targets']} unhealthy targets"
    )


def _release_problem(colour, state, alarms):
    problem = in_flight_problem(colour, state)
    if problem:
        return problem
    if alarms:
        return f"alarms in ALARM: {', '.join(alarms)}"
    return None


def plan_release(
    observation,
    target_image,
    steps=DEFAULT_STEPS,
    old_colour_final="minimum",
    minimum=2,
    last_action=None,
    wait_expired=False,
):
    """Return the next action of a release of target_image (see the module docstring).

    Raises ReleaseError on invalid options or an observation no release can
    continue from.
    """
    _check_options(target_image, steps, old_colour_final, minimum)
    _check_observation(observation)
    if last_action is not None and last_action not in ACTIONS:
        raise ReleaseError(f"last_action must be one of {', '.join(ACTIONS)} or None: got {last_action!r}")
    weights = observation["weights"]
    colours = observation["colours"]
    alarms = observation["alarms_in_alarm"]
    final_count = minimum if old_colour_final == "minimum" else 0
    on_target = [colour for colour in COLOURS if colours[colour]["image"] == target_image]

    if 100 in weights.values():
        live = live_colour(weights)
        idle = other(live)
        live_state, idle_state = colours[live], colours[idle]
        if live_state["image"] == target_image:
            if idle_state["desired_count"] <= final_count:
                # State 1: settled on the target.
                if last_action is None:
                    return _action(NOOP, live, f"{target_image} is already live on {live} with all the traffic", weights)
                return _action(DONE, live, f"{target_image} is live on {live}; {idle} is at {idle_state['desired_count']} tasks", weights)
            # State 4: all the traffic moved, the old colour not scaled down yet.
            problem = _release_problem(live, live_state, alarms)
            if problem:
                if last_action is None:
                    # Nothing was shifted by this run: the old colour may be the
                    # one a rollback moved away from, so do not send traffic to it.
                    raise ReleaseError(
                        f"{target_image} is live on {live} with all the traffic but {problem}; {idle} still runs "
                        f"{idle_state['desired_count']} tasks. Not finishing the release: investigate, or roll back "
                        "explicitly (rollback.yml)"
                    )
                return _rollback(live, live_state, f"rolling back to {idle}: {problem}")
            if last_action != BAKE:
                return _action(BAKE, live, f"baking {target_image} on {live} at 100 before scaling {idle} down", weights)
            return _action(
                FINISH,
                live,
                f"scaling {idle} down to {final_count} tasks ({old_colour_final})",
                weights,
                {idle: {"desired_count": final_count}},
            )

        # State 2: settled on another image; the idle colour gets the target.
        wanted = live_state["desired_count"]
        if idle_state["image"] != target_image and last_action in (DEPLOY_IDLE, WAIT_STABLE):
            # Deployed in this run, and the service is off the image again: the
            # deployment circuit breaker rolled it back (the tasks did not start).
            return _rollback(
                idle, idle_state, f"abandoning the release: ECS rolled the deployment of {target_image} on {idle} back"
            )
        if idle_state["image"] != target_image or idle_state["desired_count"] < wanted:
            change = {"desired_count": wanted}
            if idle_state["image"] != target_image:
                change["image"] = target_image
            return _action(
                DEPLOY_IDLE,
                idle,
                f"deploying {target_image} on {idle} with {wanted} tasks (as {live})",
                weights,
                {idle: change},
            )
        problem = health_problem(idle, idle_state)
        if problem:
            if wait_expired:
                return _rollback(idle, idle_state, f"abandoning the release: {problem} after waiting")
            return _action(WAIT_STABLE, idle, f"waiting for {idle}: {problem}", weights)
        if alarms:
            return _rollback(idle, idle_state, f"abandoning the release before shifting: alarms in ALARM: {', '.join(alarms)}")
        return _action(
            SHIFT,
            idle,
            f"shifting {steps[0]}% of the traffic to {idle}",
            {idle: steps[0], live: 100 - steps[0]},
        )

    # State 3: mid-shift.
    if len(on_target) != 1:
        which = "both colours run" if on_target else "neither colour runs"
        raise ReleaseError(
            f"the listener is mid-shift (blue {weights['blue']} / green {weights['green']}) and {which} "
            f"{target_image}: roll back explicitly (rollback.yml) before releasing"
        )
    gaining = on_target[0]
    state = colours[gaining]
    problem = _release_problem(gaining, state, alarms)
    if problem:
        return _rollback(gaining, state, f"rolling back to {other(gaining)}: {problem}")
    current = weights[gaining]
    if last_action != BAKE:
        return _action(BAKE, gaining, f"baking {target_image} on {gaining} at {current}%", weights)
    step = min(value for value in steps if value > current)
    return _action(
        SHIFT,
        gaining,
        f"shifting {step}% of the traffic to {gaining}",
        {gaining: step, other(gaining): 100 - step},
    )


def plan_rollback(observation, to_colour=None, wait_expired=False):
    """Return the next action of an explicit rollback (the rollback playbook).

    With weights at 100/0 the traffic goes back to the other colour; while
    the listener is mid-shift to_colour must be given.  The colour must run
    tasks (a colour scaled to zero is refused).  When it is kept warm with
    fewer tasks than the colour it takes over from, it is scaled up first
    (``deploy_idle`` with a desired count only), then awaited
    (``wait_stable``, refused once wait_expired), and only a healthy colour
    gets the traffic (``rollback``).
    """
    _check_observation(observation)
    weights = observation["weights"]
    colours = observation["colours"]
    if to_colour is None:
        if 100 not in weights.values():
            raise ReleaseError(
                f"the listener is mid-shift (blue {weights['blue']} / green {weights['green']}): "
                "name the colour to roll back to"
            )
        to_colour = other(live_colour(weights))
    source = other(to_colour)
    state = colours[to_colour]
    if weights[to_colour] == 100:
        return _action(NOOP, to_colour, f"{to_colour} already has all the traffic", weights)
    if state["desired_count"] == 0 or state["running_count"] == 0:
        return _action(REFUSE, to_colour, f"cannot roll back to {to_colour}: it runs no tasks (scaled to zero)", weights)
    wanted = max(state["desired_count"], colours[source]["desired_count"])
    if state["desired_count"] < wanted:
        return _action(
            DEPLOY_IDLE,
            to_colour,
            f"scaling {to_colour} to {wanted} tasks (as {source}) before it takes the traffic",
            weights,
            {to_colour: {"desired_count": wanted}},
        )
    problem = health_problem(to_colour, state)
    if problem:
        if wait_expired:
            return _action(REFUSE, to_colour, f"cannot roll back to {to_colour}: {problem}", weights)
        return _action(WAIT_STABLE, to_colour, f"waiting for {to_colour}: {problem}", weights)
    return _action(
        ROLLBACK,
        to_colour,
        f"rolling back to {to_colour} ({state['image']})",
        _full_on(to_colour),
    )


# ---------------------------------------------------------------------------
# Translation between the planner and the AWS shapes the driver reads/writes
# ---------------------------------------------------------------------------


def listener_weights(default_actions, target_group_arns):
    """Return the blue/green weights of a listener's ``DefaultActions``.

    target_group_arns maps each colour to its target group ARN.  A plain
    forward (``TargetGroupArn`` without ``ForwardConfig``) gives that colour
    100.  Anything else (a redirect, a fixed response, a forward to a group
    that is neither colour's) raises ReleaseError: the listener is not one
    the release drives.
    """
    by_arn = {arn: colour for colour, arn in target_group_arns.items()}
    forwards = [action for action in default_actions or () if action.get("Type") == "forward"]
    if len(forwards) != 1:
        kinds = ", ".join(sorted({str(action.get("Type")) for action in default_actions or ()})) or "none"
        raise ReleaseError(f"the listener's default action must be one forward to the blue and green target groups: got {kinds}")
    forward = forwards[0]
    groups = (forward.get("ForwardConfig") or {}).get("TargetGroups")
    if not groups:
        groups = [{"TargetGroupArn": forward.get("TargetGroupArn"), "Weight": 100}]
    weights = {colour: 0 for colour in COLOURS}
    for group in groups:
        colour = by_arn.get(group.get("TargetGroupArn"))
        if colour is None:
            raise ReleaseError(f"the listener forwards to {group.get('TargetGroupArn')}, which is neither the blue nor the green target group")
        weights[colour] += group.get("Weight", 1) if len(groups) > 1 else 100
    total = sum(weights.values())
    if total != 100 and total > 0:
        # ELB weights are relative (0-999); the planner works in percent.
        scaled = {"blue": round(weights["blue"] * 100 / total)}
        scaled["green"] = 100 - scaled["blue"]
        weights = scaled
    _check_weights(weights)
    return weights


def forward_actions(target_group_arns, weights):
    """Return the ``DefaultActions`` forwarding to both colours with the given weights.

    Both groups are always listed (a weight of 0 keeps the idle colour
    attached) and stickiness is given explicitly, as ELB reports it back.
    """
    _check_weights(weights)
    return [
        {
            "Type": "forward",
            "ForwardConfig": {
                "TargetGroups": [{"TargetGroupArn": target_group_arns[colour], "Weight": weights[colour]} for colour in COLOURS],
                "TargetGroupStickinessConfig": {"Enabled": False},
            },
        }
    ]


def revision_number(task_definition_arn):
    """Return the revision of a task definition ARN (``...:task-definition/family:7`` -> 7)."""
    try:
        return int(str(task_definition_arn).rsplit(":", 1)[1])
    except (IndexError, ValueError):
        raise ReleaseError(f"not a task definition ARN with a revision: {task_definition_arn!r}") from None


def previous_revision(current_arn, current_image, revisions):
    """Return the revision to restore when the release of current_arn is rolled back.

    revisions is a list of ``(arn, image)`` of the family's revisions (any
    order); the answer is the newest revision older than current_arn whose
    image differs from current_image (a revision re-registered with the same
    image for a settings change would not undo the release), or None.
    """
    current = revision_number(current_arn)
    older = sorted(
        ((revision_number(arn), arn) for arn, image in revisions if image != current_image and revision_number(arn) < current),
        reverse=True,
    )
    return older[0][1] if older else None


def scaling_floors(action, weights, live_minimum, idle_minimum, desired_counts=None):
    """Return the Application Auto Scaling minimum of each colour after an action.

    While a release is in flight (deploy_idle, shift, bake, wait_stable) each
    colour's minimum is its desired count (at least live_minimum): the
    autoscaler may scale out but not in, so the colour about to take the
    traffic keeps what it was deployed with.  Once the traffic is settled
    (finish, rollback, done) the colour with all of it gets live_minimum and
    the other one idle_minimum (the warm minimum, or 0).
    """
    if action in (DEPLOY_IDLE, SHIFT, BAKE, WAIT_STABLE):
        counts = desired_counts or {}
        return {colour: max(live_minimum, counts.get(colour, 0)) for colour in COLOURS}
    live = live_colour(weights)
    return {live: live_minimum, other(live): idle_minimum}


ECR_IMAGE = re.compile(
    r"^(?P<account>[0-9]{12})[.]dkr[.]ecr[.](?P<region>[a-z0-9-]+)[.]amazonaws[.]com(?:[.]cn)?/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*):(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$"
)


def ecr_image_reference(image):
    """Split an ECR image reference ``<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>``.

    Returns a dict with account, region, repository and tag, or None for an
    image that is not in ECR or is given by digest.
    """
    match = ECR_IMAGE.match(image or "")
    return match.groupdict() if match else None
