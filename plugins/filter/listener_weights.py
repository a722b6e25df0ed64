# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: listener_weights
short_description: Read the blue/green weights of a load balancer listener
version_added: 0.3.0
description:
  - Returns the weights (percent, adding up to 100) a listener's default action gives the blue and green
    target groups, as the blue/green release reads them.
  - Reads the listener on O(port), or without O(port) the listener whose default action forwards (so the
    weights survive switching between HTTP and HTTPS).
  - Returns O(default) when there is no such listener (a new environment).
  - Fails when the listener read does not forward to the two target groups (a redirect, a fixed
    response or another target group).
author:
  - Payment Platform maintainers
options:
  _input:
    description: The listeners of the load balancer, as M(amazon.aws.elb_application_lb_info) returns them.
    type: list
    elements: dict
    required: true
  port:
    description: Port of the listener that forwards to the colours; omitted, the forwarding listener.
    type: int
  target_group_arns:
    description: ARN of the target group of each colour (keys C(blue) and C(green)).
    type: dict
    required: true
  default:
    description: Weights returned when there is no such listener.
    type: dict
    default: {blue: 100, green: 0}
"""

EXAMPLES = r"""
- name: Keep the weights a release has set
  ansible.builtin.set_fact:
    edge_weights: >-
      {{ edge_alb_info.load_balancers[0].listeners | default([])
         | fintech.payment_platform.listener_weights(target_group_arns=edge_target_group_arns) }}
"""

RETURN = r"""
_value:
  description: The weights of each colour.
  type: dict
  sample: {blue: 90, green: 10}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.fintech.payment_platform.plugins.module_utils.release import ReleaseError
from ansible_collections.fintech.payment_platform.plugins.module_utils.release import listener_weights as read_weights


def _camel_actions(actions):
    """Default actions as AWS names them (the info module returns snake_case keys)."""
    result = []
    for action in actions or ():
        forward = action.get("ForwardConfig", action.get("forward_config")) or {}
        groups = forward.get("TargetGroups", forward.get("target_groups")) or []
        result.append(
            {
                "Type": action.get("Type", action.get("type")),
                "TargetGroupArn": action.get("TargetGroupArn", action.get("target_group_arn")),
                "ForwardConfig": {
                    "TargetGroups": [
                        {
                            "TargetGroupArn": group.get("TargetGroupArn", group.get("target_group_arn")),
                            "Weight": group.get("Weight", group.get("weight", 1)),
                        }
                        for group in groups
                    ]
                },
            }
        )
    return result


def _forwards(listener):
    actions = _camel_actions(listener.get("DefaultActions", listener.get("default_actions")))
    return any(action["Type"] == "forward" for action in actions)


def listener_weights(listeners, port=None, target_group_arns=None, default=None):
    """The blue/green weights of the listener on port (or of the forwarding one), or default when there is none."""
    if not isinstance(target_group_arns, dict):
        raise AnsibleFilterError("listener_weights: target_group_arns must be a dict with blue and green")
    for listener in listeners or ():
        if port is not None and int(listener.get("Port", listener.get("port", 0))) != int(port):
            continue
        if port is None and not _forwards(listener):
            continue
        actions = listener.get("DefaultActions", listener.get("default_actions"))
        try:
            return read_weights(_camel_actions(actions), target_group_arns)
        except ReleaseError as error:
            where = port if port is not None else listener.get("Port", listener.get("port"))
            raise AnsibleFilterError(f"listener on port {where}: {error}") from error
    return dict(default or {"blue": 100, "green": 0})


class FilterModule:
    """Blue/green listener weights."""

    def filters(self):
        return {"listener_weights": listener_weights}
