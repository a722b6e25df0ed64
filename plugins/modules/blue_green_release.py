#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: blue_green_release
version_added: 0.3.0
short_description: Release an image to an ECS blue/green pair behind an ALB listener, or roll back
description:
  - Drives a blue/green release of two ECS services (C(blue) and C(green)), each registered in its own
    target group, behind one Application Load Balancer listener whose default action forwards to both
    target groups with weights.
  - The colour with most of the traffic is the live one. A release registers a task definition revision
    with O(image) on the idle colour (a copy of the revision it runs, only the image of
    O(container_name) changes), scales it to the live colour's desired count, waits until its service is
    stable and all its targets are healthy, then shifts the listener weights through O(steps) with
    O(bake_seconds) between steps. Before every shift and after every bake it checks the gaining
    colour's service and target health and the O(alarm_names); on any problem it rolls back by itself
    (all the traffic back to the old colour, the gaining colour back to the revision it ran before) and
    fails. At the end the old colour is scaled down to O(minimum) tasks (kept warm for an instant
    rollback) or to zero (O(old_colour_final)).
  - The decisions come from a stateless planner fed with what is read from AWS, so a release interrupted
    at any point is resumed by running the module again, and re-running a finished release (or releasing
    the image already live) changes nothing.
  - With O(mode=rollback) all the traffic goes back to the other colour (or O(rollback_to)) when that
    colour runs healthy tasks; a colour scaled to zero is refused.
  - With O(manage_scaling=true) the Application Auto Scaling minimum of each colour follows the traffic
    (both colours at O(live_minimum) while a release is in flight, the idle colour at O(minimum) or 0
    afterwards), so the autoscaler neither shrinks the colour about to take traffic nor scales the old
    colour back up.
  - In check mode the module reads the platform and returns the next action it would take, without
    changing anything.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  cluster:
    description: Name or ARN of the ECS cluster of both services.
    type: str
    required: true
  services:
    description: Names of the ECS service of each colour.
    type: dict
    required: true
    suboptions:
      blue:
        description: Service of the blue colour.
        type: str
        required: true
      green:
        description: Service of the green colour.
        type: str
        required: true
  target_groups:
    description: ARN of the target group of each colour.
    type: dict
    required: true
    suboptions:
      blue:
        description: Target group of the blue service.
        type: str
        required: true
      green:
        description: Target group of the green service.
        type: str
        required: true
  listener_arn:
    description:
      - ARN of the listener whose default action forwards to both target groups.
    type: str
    required: true
  container_name:
    description: Name of the container of the task definitions that runs the released image.
    type: str
    required: true
  mode:
    description:
      - V(release) releases O(image); V(rollback) gives all the traffic back to the other colour.
    type: str
    choices: ["release", "rollback"]
    default: release
  image:
    description:
      - Full image reference to release, for example V(123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments:1.4.2).
      - Required with O(mode=release).
    type: str
  rollback_to:
    description:
      - With O(mode=rollback), the colour to give the traffic to. Defaults to the colour that is not live;
        required while the listener is mid-shift.
    type: str
    choices: ["blue", "green"]
  steps:
    description:
      - Weights given to the new colour one after the other, strictly increasing, the last one V(100).
    type: list
    elements: int
    default: [10, 50, 100]
  bake_seconds:
    description: Seconds to wait at each step (and at 100 before scaling the old colour down) before checking again.
    type: int
    default: 60
  wait_timeout:
    description:
      - Seconds to wait for the idle colour's service to be stable and its targets healthy after the new
        revision is deployed; the release is rolled back after that.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two checks while waiting for the idle colour.
    type: int
    default: 15
  alarm_names:
    description:
      - CloudWatch alarms (for example the 5xx rate and p99 latency alarms) that stop and roll back the
        release when any of them is in C(ALARM).
    type: list
    elements: str
    default: []
  old_colour_final:
    description:
      - V(minimum) scales the old colour down to O(minimum) tasks at the end (kept warm for an instant
        rollback); V(zero) scales it to 0.
    type: str
    choices: ["minimum", "zero"]
    default: minimum
  minimum:
    description: Tasks the old colour keeps with O(old_colour_final=minimum).
    type: int
    default: 2
  live_minimum:
    description: Application Auto Scaling minimum of the colour with the traffic (with O(manage_scaling=true)).
    type: int
    default: 2
  manage_scaling:
    description:
      - Keep the Application Auto Scaling minimum capacity of each service in step with the traffic.
        Services without a scalable target are left alone.
    type: bool
    default: true
  check_image:
    description:
      - Before anything changes, make sure an O(image) in Amazon ECR (C(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>))
        exists, so a typo in the tag fails at once instead of after a failed deployment.
    type: bool
    default: true
  max_actions:
    description:
      - Stop after this many changes (deploy, shift, finish) even if the release is not finished; running
        the module again continues from there. V(0) means no limit.
    type: int
    default: 0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Release 1.4.2 in three steps, keeping the old colour warm
  fintech.payment_platform.blue_green_release:
    cluster: ecs-payments-dev
    services: {blue: svc-payments-blue-dev, green: svc-payments-green-dev}
    target_groups:
      blue: "{{ tg_arns.blue }}"
      green: "{{ tg_arns.green }}"
    listener_arn: "{{ listener_arn }}"
    container_name: app
    image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-dev:1.4.2"
    steps: [10, 50, 100]
    bake_seconds: 120
    alarm_names: [alarm-payments-alb-5xx-dev, alarm-payments-alb-p99-dev]

- name: Give all the traffic back to the other colour
  fintech.payment_platform.blue_green_release:
    mode: rollback
    cluster: ecs-payments-dev
    services: {blue: svc-payments-blue-dev, green: svc-payments-green-dev}
    target_groups:
      blue: "{{ tg_arns.blue }}"
      green: "{{ tg_arns.green }}"
    listener_arn: "{{ listener_arn }}"
    container_name: app
"""

RETURN = r"""
live_colour:
  description: The colour with most of the traffic at the end (predicted in check mode).
  returned: always
  type: str
  sample: green
weights:
  description: The listener weights at the end (predicted in check mode).
  returned: always
  type: dict
  sample: {"blue": 0, "green": 100}
complete:
  description: False when O(max_actions) stopped the release before it finished, or in check mode.
  returned: always
  type: bool
rolled_back:
  description: True when the traffic was given back to the old colour.
  returned: always
  type: bool
actions:
  description: The actions taken, in order (in check mode the one that would be taken next).
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description: One of V(noop), V(deploy_idle), V(wait_stable), V(shift), V(bake), V(rollback), V(finish), V(done).
      type: str
    colour:
      description: The colour the action is about.
      type: str
    reason:
      description: Why, in words.
      type: str
    weights:
      description: The listener weights once the action is executed.
      type: dict
    services:
      description: Per colour, the changes made (image, task_definition, desired_count).
      type: dict
services:
  description: What each colour runs at the end, read back.
  returned: always
  type: dict
  sample:
    blue: {service_name: svc-payments-blue-dev, task_definition: "arn:aws:ecs:...:task-definition/td-payments-blue-dev:3",
           image: "...:1.4.1", desired_count: 2, running_count: 2, healthy_targets: 2, unhealthy_targets: 0}
alarms_in_alarm:
  description: The alarms of O(alarm_names) found in C(ALARM) at the last check.
  returned: always
  type: list
  elements: str
"""

import time

try:
    import botocore  # pylint: disable=unused-import
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.fintech.payment_platform.plugins.module_utils import release
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import registration_request

SCALABLE_DIMENSION = "ecs:service:DesiredCount"


class ReleaseFailed(Exception):
    """The driver cannot go on (message for the user)."""


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def describe_listener(elbv2, listener_arn):
    return elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]


@AWSRetry.jittered_backoff()
def modify_listener_actions(elbv2, listener_arn, actions):
    elbv2.modify_listener(ListenerArn=listener_arn, DefaultActions=actions)


@AWSRetry.jittered_backoff()
def describe_services(ecs, cluster, names):
    response = ecs.describe_services(cluster=cluster, services=list(names))
    return {service["serviceName"]: service for service in response.get("services", []) if service.get("status") == "ACTIVE"}


@AWSRetry.jittered_backoff()
def describe_task_definition(ecs, arn):
    response = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    return response["taskDefinition"], response.get("tags") or []


@AWSRetry.jittered_backoff()
def list_revisions(ecs, family):
    paginator = ecs.get_paginator("list_task_definitions")
    arns = paginator.paginate(familyPrefix=family, status="ACTIVE").build_full_result().get("taskDefinitionArns", [])
    return [arn for arn in arns if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family]


@AWSRetry.jittered_backoff()
def register_task_definition(ecs, request):
    return ecs.register_task_definition(**request)["taskDefinition"]["taskDefinitionArn"]


@AWSRetry.jittered_backoff()
def update_service(ecs, cluster, service, **changes):
    ecs.update_service(cluster=cluster, service=service, **changes)


@AWSRetry.jittered_backoff()
def describe_target_health(elbv2, target_group_arn):
    return elbv2.describe_target_health(TargetGroupArn=target_group_arn).get("TargetHealthDescriptions", [])


@AWSRetry.jittered_backoff()
def alarms_in_alarm(cloudwatch, names):
    if not names:
        return []
    paginator = cloudwatch.get_paginator("describe_alarms")
    result = paginator.paginate(AlarmNames=list(names)).build_full_result()
    alarms = result.get("MetricAlarms", []) + result.get("CompositeAlarms", [])
    # The state is filtered here rather than with StateValue, which not every
    # implementation of the API combines with AlarmNames.
    return sorted(alarm["AlarmName"] for alarm in alarms if alarm.get("StateValue") == "ALARM")


@AWSRetry.jittered_backoff()
def image_exists(ecr, reference):
    try:
        ecr.describe_images(
            registryId=reference["account"],
            repositoryName=reference["repository"],
            imageIds=[{"imageTag": reference["tag"]}],
        )
    except is_boto3_error_code(["ImageNotFoundException", "RepositoryNotFoundException"]):
        return False
    return True


@AWSRetry.jittered_backoff()
def describe_scalable_targets(autoscaling, resource_ids):
    response = autoscaling.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=list(resource_ids), ScalableDimension=SCALABLE_DIMENSION
    )
    return {target["ResourceId"]: target for target in response.get("ScalableTargets", [])}


@AWSRetry.jittered_backoff()
def set_scalable_minimum(autoscaling, resource_id, minimum, maximum):
    autoscaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=resource_id,
        ScalableDimension=SCALABLE_DIMENSION,
        MinCapacity=minimum,
        MaxCapacity=maximum,
    )


# ---------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------


class Driver:
    """Observes the pair, asks the planner, executes its action."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.ecs = module.client("ecs")
        self.elbv2 = module.client("elbv2")
        self.cloudwatch = module.client("cloudwatch") if self.params["alarm_names"] else None
        self.autoscaling = module.client("application-autoscaling") if self.params["manage_scaling"] else None
        self.task_definitions = {}
        self.services = {}
        self.last_observation = None
        self.history = []

    # -- reading ------------------------------------------------------------

    def task_definition(self, arn):
        if arn not in self.task_definitions:
            self.task_definitions[arn] = describe_task_definition(self.ecs, arn)
        return self.task_definitions[arn]

    def image_of(self, arn):
        return release.container_image(self.task_definition(arn)[0], self.params["container_name"])

    def previous_of(self, arn, image):
        family = self.task_definition(arn)[0]["family"]
        revisions = []
        for candidate in sorted(list_revisions(self.ecs, family), key=release.revision_number, reverse=True):
            if release.revision_number(candidate) >= release.revision_number(arn):
                continue
            candidate_image = self.image_of(candidate)
            revisions.append((candidate, candidate_image))
            if candidate_image != image:
                break
        return release.previous_revision(arn, image, revisions)

    def observe(self):
        params = self.params
        listener = describe_listener(self.elbv2, params["listener_arn"])
        weights = release.listener_weights(listener.get("DefaultActions"), params["target_groups"])
        names = params["services"]
        found = describe_services(self.ecs, params["cluster"], names.values())
        missing = [f"{colour} ({name})" for colour, name in names.items() if name not in found]
        if missing:
            raise ReleaseFailed(f"service not found in cluster {params['cluster']}: {', '.join(missing)}")
        states = {}
        for colour in release.COLOURS:
            service = found[names[colour]]
            self.services[colour] = service
            arn = service["taskDefinition"]
            image = self.image_of(arn)
            healthy, unhealthy = release.target_health_counts(describe_target_health(self.elbv2, params["target_groups"][colour]))
            previous = None
            if params["mode"] == "release" and image == params["image"]:
                previous = self.previous_of(arn, image)
            states[colour] = {
                "image": image,
                "task_definition": arn,
                "previous_task_definition": previous,
                "desired_count": service.get("desiredCount", 0),
                "running_count": service.get("runningCount", 0),
                "service_stable": release.service_stable(service),
                "healthy_targets": healthy,
                "unhealthy_targets": unhealthy,
            }
        alarms = alarms_in_alarm(self.cloudwatch, params["alarm_names"]) if self.cloudwatch else []
        self.last_observation = release.observe(weights, states["blue"], states["green"], alarms)
        return self.last_observation

    # -- writing ------------------------------------------------------------

    def resource_id(self, colour):
        cluster = self.params["cluster"].rsplit("/", 1)[-1]
        return f"service/{cluster}/{self.params['services'][colour]}"

    def apply_floors(self, action):
        if not self.autoscaling:
            return
        minimum = self.params["minimum"] if self.params["old_colour_final"] == "minimum" else 0
        counts = {colour: self.last_observation["colours"][colour]["desired_count"] for colour in release.COLOURS}
        for colour, change in action["services"].items():
            if "desired_count" in change:
                counts[colour] = change["desired_count"]
        floors = release.scaling_floors(
            action["action"], action["weights"], self.params["live_minimum"], minimum, counts
        )
        ids = {colour: self.resource_id(colour) for colour in release.COLOURS}
        targets = describe_scalable_targets(self.autoscaling, ids.values())
        for colour, floor in floors.items():
            target = targets.get(ids[colour])
            if target is None or target["MinCapacity"] == floor:
                continue
            set_scalable_minimum(self.autoscaling, ids[colour], floor, max(target["MaxCapacity"], floor))

    def apply_services(self, action):
        for colour, change in action["services"].items():
            current = self.services[colour]
            request = {}
            if "image" in change:
                description, tags = self.task_definition(current["taskDefinition"])
                registration = registration_request(description, {self.params["container_name"]: change["image"]}, tags=tags)
                request["taskDefinition"] = register_task_definition(self.ecs, registration)
            if "task_definition" in change:
                request["taskDefinition"] = change["task_definition"]
            if "desired_count" in change:
                request["desiredCount"] = change["desired_count"]
            if request:
                update_service(self.ecs, self.params["cluster"], self.params["services"][colour], **request)

    def apply_weights(self, action, observation):
        if action["weights"] != observation["weights"]:
            actions = release.forward_actions(self.params["target_groups"], action["weights"])
            modify_listener_actions(self.elbv2, self.params["listener_arn"], actions)

    def execute(self, action, observation):
        if action["action"] == release.ROLLBACK:
            # Traffic first: away from the colour that failed.
            self.apply_weights(action, observation)
            self.apply_floors(action)
            self.apply_services(action)
        else:
            self.apply_floors(action)
            self.apply_services(action)
            self.apply_weights(action, observation)

    # -- the loop -----------------------------------------------------------

    def plan(self, observation, last_action, wait_expired):
        params = self.params
        if params["mode"] == "rollback":
            return release.plan_rollback(observation, params["rollback_to"], wait_expired)
        return release.plan_release(
            observation,
            params["image"],
            steps=params["steps"],
            old_colour_final=params["old_colour_final"],
            minimum=params["minimum"],
            last_action=last_action,
            wait_expired=wait_expired,
        )

    def run(self, observation):
        """Plan and execute from observation until done; return (changed, complete, rolled_back, history)."""
        params = self.params
        history = self.history
        executed = 0
        last_action = None
        wait_started = None
        wait_expired = False
        complete = False
        rolled_back = False
        stale = False
        while True:
            if stale:
                observation = self.observe()
            stale = True
            action = self.plan(observation, last_action, wait_expired)
            history.append(action)
            name = action["action"]
            if name == release.REFUSE:
                raise ReleaseFailed(action["reason"])
            if self.module.check_mode:
                break
            if name in (release.NOOP, release.DONE):
                complete = True
                break
            if name == release.WAIT_STABLE:
                wait_started = wait_started or time.monotonic()
                time.sleep(params["poll_interval"])
                wait_expired = time.monotonic() - wait_started >= params["wait_timeout"]
                last_action = name
                continue
            if name == release.BAKE:
                time.sleep(params["bake_seconds"])
                last_action = name
                continue
            self.execute(action, observation)
            executed += 1
            last_action = name
            if name == release.ROLLBACK:
                rolled_back = True
                complete = params["mode"] == "rollback"
                break
            if params["max_actions"] and executed >= params["max_actions"]:
                break
        changed = any(action["action"] in release.MUTATING_ACTIONS for action in history)
        if changed and not self.module.check_mode and history[-1]["action"] in release.MUTATING_ACTIONS:
            # Stopped right after a change: read the result back.
            self.observe()
        return changed, complete, rolled_back, history


def summary(observation, services):
    result = {}
    for colour in release.COLOURS:
        state = observation["colours"][colour]
        result[colour] = {
            "service_name": services[colour].get("serviceName"),
            "task_definition": state["task_definition"],
            "image": state["image"],
            "desired_count": state["desired_count"],
            "running_count": state["running_count"],
            "healthy_targets": state["healthy_targets"],
            "unhealthy_targets": state["unhealthy_targets"],
        }
    return result


def diff_view(observation):
    return {
        "weights": dict(observation["weights"]),
        "images": {colour: observation["colours"][colour]["image"] for colour in release.COLOURS},
        "desired_counts": {colour: observation["colours"][colour]["desired_count"] for colour in release.COLOURS},
    }


def validate(params):
    problems = []
    if params["mode"] == "release":
        if not params["image"]:
            problems.append("image is required with mode=release")
        problems.extend(release.validate_steps(params["steps"]))
    for option in ("bake_seconds", "wait_timeout", "minimum", "live_minimum", "max_actions"):
        if params[option] < 0:
            problems.append(f"{option} must not be negative: got {params[option]}")
    if params["poll_interval"] < 1:
        problems.append(f"poll_interval must be at least 1: got {params['poll_interval']}")
    if params["mode"] == "release" and params["old_colour_final"] == "minimum" and params["minimum"] < 1:
        problems.append("minimum must be at least 1 with old_colour_final=minimum (use old_colour_final=zero)")
    blue, green = params["target_groups"]["blue"], params["target_groups"]["green"]
    if blue == green:
        problems.append("target_groups.blue and target_groups.green must differ")
    if params["services"]["blue"] == params["services"]["green"]:
        problems.append("services.blue and services.green must differ")
    return problems


def main():
    colours = dict(blue=dict(type="str", required=True), green=dict(type="str", required=True))
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        services=dict(type="dict", required=True, options=colours),
        target_groups=dict(type="dict", required=True, options=colours),
        listener_arn=dict(type="str", required=True),
        container_name=dict(type="str", required=True),
        mode=dict(type="str", choices=["release", "rollback"], default="release"),
        image=dict(type="str"),
        rollback_to=dict(type="str", choices=["blue", "green"]),
        steps=dict(type="list", elements="int", default=[10, 50, 100]),
        bake_seconds=dict(type="int", default=60),
        wait_timeout=dict(type="int", default=600),
        poll_interval=dict(type="int", default=15),
        alarm_names=dict(type="list", elements="str", default=[]),
        old_colour_final=dict(type="str", choices=["minimum", "zero"], default="minimum"),
        minimum=dict(type="int", default=2),
        live_minimum=dict(type="int", default=2),
        manage_scaling=dict(type="bool", default=True),
        check_image=dict(type="bool", default=True),
        max_actions=dict(type="int", default=0),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = validate(module.params)
    if problems:
        module.fail_json(msg="Invalid parameters: " + "; ".join(problems))

    driver = Driver(module)
    history = driver.history
    try:
        reference = release.ecr_image_reference(module.params["image"]) if module.params["mode"] == "release" else None
        if reference and module.params["check_image"] and not image_exists(module.client("ecr"), reference):
            module.fail_json(
                msg=f"Image {module.params['image']} not found in ECR repository {reference['repository']}: "
                "push it before releasing; nothing was changed"
            )
        before = driver.observe()
        changed, complete, rolled_back, history = driver.run(before)
    except release.ReleaseError as error:
        module.fail_json(msg=f"Cannot {module.params['mode']}: {error}", actions=history)
    except ReleaseFailed as error:
        module.fail_json(msg=str(error), actions=history)
    except is_boto3_error_code(["ListenerNotFound", "TargetGroupNotFound", "ClusterNotFoundException"]) as error:
        module.fail_json_aws(error, msg=f"Cannot {module.params['mode']}: a resource of the blue/green pair is missing")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(error, msg=f"Failed to {module.params['mode']}")

    after = driver.last_observation
    predicted_weights = history[-1]["weights"] if module.check_mode else after["weights"]
    result = dict(
        changed=changed if not module.check_mode else history[-1]["action"] not in (release.NOOP, release.DONE),
        live_colour=release.live_colour(predicted_weights) if predicted_weights["blue"] != predicted_weights["green"] else None,
        weights=predicted_weights,
        complete=complete,
        rolled_back=rolled_back,
        actions=history,
        services=summary(after, driver.services),
        alarms_in_alarm=after["alarms_in_alarm"],
    )
    if module._diff:
        after_view = diff_view(after)
        if module.check_mode:
            after_view["weights"] = dict(predicted_weights)
        result["diff"] = dict(before=diff_view(before), after=after_view)
    if rolled_back and module.params["mode"] == "release":
        module.fail_json(msg=f"The release of {module.params['image']} was rolled back: {history[-1]['reason']}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
