#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_flow_log
version_added: 0.1.0
short_description: Manage an EC2 VPC, subnet or network interface flow log
description:
  - Creates, replaces or deletes one EC2 flow log.
  - A flow log is identified by O(resource_id), O(traffic_type) and its log destination
    (O(log_destination_type) plus O(log_group_name) or O(log_destination)).
    Other flow logs on the same resource are never modified or deleted.
  - The EC2 API cannot modify a flow log.  When the flow log found differs in
    O(deliver_logs_permission_arn), O(max_aggregation_interval) or O(log_format), it is
    deleted and created again with the requested settings (and the replacement is reported in
    the diff).  Tags are updated in place.
  - The parameters are validated before any AWS call is made.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  state:
    description:
      - Whether the flow log should exist.
    type: str
    choices: ["present", "absent"]
    default: "present"
  resource_id:
    description:
      - The ID of the VPC, subnet or network interface whose traffic is logged.
      - Must match O(resource_type) (V(vpc-...), V(subnet-...) or V(eni-...)).
    type: str
    required: true
  resource_type:
    description:
      - The type of O(resource_id).
    type: str
    choices: ["VPC", "Subnet", "NetworkInterface"]
    default: "VPC"
  traffic_type:
    description:
      - The type of traffic to log.
    type: str
    choices: ["ACCEPT", "REJECT", "ALL"]
    default: "ALL"
  log_destination_type:
    description:
      - Where the flow log data is published.
    type: str
    choices: ["cloud-watch-logs", "s3", "kinesis-data-firehose"]
    default: "cloud-watch-logs"
  log_group_name:
    description:
      - The name of the CloudWatch Logs log group receiving the flow log data.
      - Only valid with O(log_destination_type=cloud-watch-logs), where exactly one of
        O(log_group_name) and O(log_destination) is required.
    type: str
  log_destination:
    description:
      - The ARN of the destination.
      - Required for O(log_destination_type=s3) (a bucket ARN, optionally followed by
        V(/<prefix>)) and O(log_destination_type=kinesis-data-firehose) (a delivery stream ARN).
      - With O(log_destination_type=cloud-watch-logs) the ARN of the log group may be given
        instead of O(log_group_name).
    type: str
  deliver_logs_permission_arn:
    description:
      - The ARN of the IAM role that allows the flow log service to publish to the destination.
      - Required when O(state=present) and O(log_destination_type=cloud-watch-logs).
      - When not set for the other destination types, the role of an existing flow log is not compared.
      - Changing it replaces the flow log.
    type: str
  max_aggregation_interval:
    description:
      - The maximum interval, in seconds, during which a flow of packets is captured
        and aggregated into a flow log record.
      - Changing it replaces the flow log.
    type: int
    choices: [60, 600]
    default: 600
  log_format:
    description:
      - The fields to include in the flow log records, for example
        V(${srcaddr} ${dstaddr} ${action}).
      - When not set, AWS uses its default format and the format of an existing flow
        log is not compared.
      - Changing it replaces the flow log.
    type: str
notes:
  - Flow logs have no name; re-running the module finds the flow log again by
    O(resource_id), O(traffic_type) and destination.
  - When a flow log is replaced, tags not managed by O(tags) and settings this module does not
    expose (destination options, cross-account role) are carried over to the new flow log.
  - Support for check mode and diff mode; in check mode the predicted flow log is returned.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Log rejected VPC traffic to CloudWatch Logs
  fintech.payment_platform.vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    traffic_type: REJECT
    log_group_name: /payments/vpc-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/vpc-flow-logs
    max_aggregation_interval: 60
    tags:
      Environment: prod
  register: flow_log

- name: Log all traffic of one subnet to S3 with a custom format
  fintech.payment_platform.vpc_flow_log:
    resource_id: subnet-0123456789abcdef0
    resource_type: Subnet
    log_destination_type: s3
    log_destination: arn:aws:s3:::payments-flow-logs/subnets/
    log_format: "${version} ${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action}"

- name: Use the log group ARN instead of its name
  fintech.payment_platform.vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    log_destination: arn:aws:logs:eu-west-1:123456789012:log-group:/payments/vpc-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/vpc-flow-logs

- name: Remove the rejected-traffic flow log
  fintech.payment_platform.vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    traffic_type: REJECT
    log_group_name: /payments/vpc-flow-logs
    state: absent
"""

RETURN = r"""
flow_log:
  description:
    - The flow log after the module ran, or the predicted flow log in check mode.
    - V(null) when O(state=absent).
    - Besides the keys listed here, the other attributes AWS returns (for example
      RV(flow_log.deliver_logs_status)) are included in snake_case.
  returned: always
  type: dict
  contains:
    flow_log_id:
      description:
        - The ID of the flow log.
        - V(null) in check mode when the flow log would be created or replaced.
      type: str
      returned: always
      sample: fl-0123456789abcdef0
    resource_id:
      description: The ID of the VPC, subnet or network interface.
      type: str
      returned: always
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: The type of traffic logged.
      type: str
      returned: always
      sample: ALL
    log_destination_type:
      description: The type of destination.
      type: str
      returned: always
      sample: cloud-watch-logs
    log_group_name:
      description: The name of the CloudWatch Logs log group, V(null) for other destination types.
      type: str
      returned: always
      sample: /payments/vpc-flow-logs
    log_destination:
      description: The ARN of the destination, V(null) when AWS does not report one.
      type: str
      returned: always
      sample: arn:aws:logs:eu-west-1:123456789012:log-group:/payments/vpc-flow-logs
    deliver_logs_permission_arn:
      description: The ARN of the IAM role used to publish the logs.
      type: str
      returned: always
      sample: arn:aws:iam::123456789012:role/vpc-flow-logs
    max_aggregation_interval:
      description: The maximum aggregation interval in seconds.
      type: int
      returned: always
      sample: 600
    log_format:
      description: The format of the flow log records.
      type: str
      returned: always
      sample: >-
        ${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport}
        ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}
    tags:
      description: The tags of the flow log.
      type: dict
      returned: always
      sample: {"Environment": "prod"}
    creation_time:
      description: When the flow log was created.
      type: str
      returned: when the flow log exists
      sample: "2025-01-01T12:00:00+00:00"
    flow_log_status:
      description: The status of the flow log.
      type: str
      returned: when the flow log exists
      sample: ACTIVE
    deliver_logs_status:
      description: The status of the log delivery.
      type: str
      returned: when the flow log exists
      sample: SUCCESS
    deliver_logs_error_message:
      description: Why the log delivery failed.
      type: str
      returned: when the log delivery failed
      sample: Access error
"""

import uuid

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import build_create_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import build_desired_flow_log
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import describe_differences
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import find_matching_flow_logs
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import flow_log_view
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import immutable_differences
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import normalize_flow_log
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import predict_flow_log
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import replacement_desired
from ansible_collections.fintech.payment_platform.plugins.module_utils.flow_log import validate_flow_log_params

FLOW_LOG_NOT_FOUND = "InvalidFlowLogId.NotFound"


class FlowLogErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(FLOW_LOG_NOT_FOUND)


@FlowLogErrorHandler.list_error_handler("describe flow logs of {resource_id}", [])
@AWSRetry.jittered_backoff()
def describe_flow_logs_for_resource(client, resource_id):
    paginator = client.get_paginator("describe_flow_logs")
    filters = ansible_dict_to_boto3_filter_list({"resource-id": resource_id})
    return paginator.paginate(Filter=filters).build_full_result()["FlowLogs"]


@FlowLogErrorHandler.list_error_handler("describe flow log {flow_log_id}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=[FLOW_LOG_NOT_FOUND])
def get_flow_log(client, flow_log_id):
    flow_logs = client.describe_flow_logs(FlowLogIds=[flow_log_id])["FlowLogs"]
    return flow_logs[0] if flow_logs else None


@FlowLogErrorHandler.common_error_handler("create flow log for {params[ResourceIds]}")
@AWSRetry.jittered_backoff()
def _create_flow_logs(client, params):
    return client.create_flow_logs(**params)


@FlowLogErrorHandler.deletion_error_handler("delete flow log {flow_log_id}")
@AWSRetry.jittered_backoff()
def _delete_flow_logs(client, flow_log_id):
    return client.delete_flow_logs(FlowLogIds=[flow_log_id])


def _unsuccessful_message(unsuccessful):
    messages = []
    for item in unsuccessful:
        error = item.get("Error") or {}
        messages.append(f"{item.get('ResourceId')}: {error.get('Code')}: {error.get('Message')}")
    return "; ".join(messages)


def create_flow_log(client, desired):
    """Create the flow log and return its ID.

    A client token makes retried calls idempotent; per-resource failures that
    the API reports in ``Unsuccessful`` are turned into errors.
    """
    params = build_create_params(desired)
    params["ClientToken"] = str(uuid.uuid4())
    response = _create_flow_logs(client, params)
    unsuccessful = response.get("Unsuccessful") or []
    flow_log_ids = response.get("FlowLogIds") or []
    if unsuccessful or not flow_log_ids:
        raise AnsibleEC2Error(
            message=f"Failed to create flow log for {desired['resource_id']}: {_unsuccessful_message(unsuccessful)}"
        )
    return flow_log_ids[0]


def delete_flow_log(client, flow_log_id):
    """Delete one flow log; return False when it was already gone."""
    response = _delete_flow_logs(client, flow_log_id)
    if response is False:
        return False
    unsuccessful = response.get("Unsuccessful") or []
    if not unsuccessful:
        return True
    if all((item.get("Error") or {}).get("Code") == FLOW_LOG_NOT_FOUND for item in unsuccessful):
        return False
    raise AnsibleEC2Error(message=f"Failed to delete flow log {flow_log_id}: {_unsuccessful_message(unsuccessful)}")


def read_flow_log(client, flow_log_id, fallback):
    """Describe the flow log by ID, falling back to *fallback* if not yet visible."""
    flow_log = normalize_flow_log(get_flow_log(client, flow_log_id))
    return flow_log or fallback


def ensure_created(client, desired, check_mode):
    predicted = predict_flow_log(desired)
    if check_mode:
        return True, predicted
    flow_log_id = create_flow_log(client, desired)
    predicted["flow_log_id"] = flow_log_id
    return True, read_flow_log(client, flow_log_id, predicted)


def ensure_replaced(client, flow_log, desired, check_mode):
    """Delete *flow_log* and create its replacement (flow logs cannot be modified)."""
    new_desired = replacement_desired(flow_log, desired)
    if check_mode:
        return True, predict_flow_log(new_desired)
    delete_flow_log(client, flow_log["flow_log_id"])
    try:
        return ensure_created(client, new_desired, check_mode)
    except AnsibleAWSError as e:
        e.message = f"{e.message} (the flow log {flow_log['flow_log_id']} it replaces was already deleted)"
        raise


def ensure_tags(client, module, flow_log, tags, purge_tags, check_mode):
    if tags is None:
        return False, flow_log
    # The flow log ID is unique, so the tags are looked up by resource ID only:
    # moto reports the resource type of flow log tags as "flow-logs" rather than
    # "vpc-flow-log", which would hide them from a resource-type filter.
    changed = ensure_ec2_tags(client, module, flow_log["flow_log_id"], tags=tags, purge_tags=purge_tags)
    if not changed:
        return False, flow_log
    new_flow_log = dict(flow_log)
    new_flow_log["tags"] = merge_tags(flow_log.get("tags"), tags, purge_tags)
    if check_mode:
        return True, new_flow_log
    return True, read_flow_log(client, flow_log["flow_log_id"], new_flow_log)


def ensure_present(client, module, flow_log, desired, check_mode):
    """Return (changed, flow_log, differences); differences is set when the flow log is replaced."""
    if flow_log is None:
        changed, new_flow_log = ensure_created(client, desired, check_mode)
        return changed, new_flow_log, None

    differences = immutable_differences(flow_log, desired)
    if differences:
        changed, new_flow_log = ensure_replaced(client, flow_log, desired, check_mode)
        return changed, new_flow_log, differences

    changed, new_flow_log = ensure_tags(client, module, flow_log, desired["tags"], desired["purge_tags"], check_mode)
    return changed, new_flow_log, None


def ensure_absent(client, flow_logs, check_mode):
    if not flow_logs:
        return False
    if check_mode:
        return True
    changed = False
    for flow_log in flow_logs:
        changed |= delete_flow_log(client, flow_log["flow_log_id"])
    return changed


def build_diff(before, after, differences):
    diff = {"before": flow_log_view(before), "after": flow_log_view(after)}
    if differences:
        diff["before_header"] = f"flow log {before['flow_log_id']} (replaced: {describe_differences(differences)})"
        diff["after_header"] = f"new flow log replacing {before['flow_log_id']}"
    return diff


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        resource_id=dict(type="str", required=True),
        resource_type=dict(type="str", choices=["VPC", "Subnet", "NetworkInterface"], default="VPC"),
        traffic_type=dict(type="str", choices=["ACCEPT", "REJECT", "ALL"], default="ALL"),
        log_destination_type=dict(
            type="str", choices=["cloud-watch-logs", "s3", "kinesis-data-firehose"], default="cloud-watch-logs"
        ),
        log_group_name=dict(type="str"),
        log_destination=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        max_aggregation_interval=dict(type="int", choices=[60, 600], default=600),
        log_format=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_flow_log_params(module.params)
    if problem:
        module.fail_json(msg=problem)

    desired = build_desired_flow_log(module.params)
    state = module.params["state"]
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())

    differences = None
    try:
        existing = [normalize_flow_log(f) for f in describe_flow_logs_for_resource(client, desired["resource_id"])]
        matches = find_matching_flow_logs(existing, desired)
        before = matches[0] if matches else None

        if state == "absent":
            changed = ensure_absent(client, matches, module.check_mode)
            after = None
        else:
            if len(matches) > 1:
                module.fail_json(
                    msg=(
                        f"Found {len(matches)} flow logs for {desired['resource_id']} with traffic type"
                        f" {desired['traffic_type']} and the same destination"
                        f" ({', '.join(m['flow_log_id'] for m in matches)}); remove the duplicates first"
                    )
                )
            changed, after, differences = ensure_present(client, module, before, desired, module.check_mode)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    result = {"changed": changed, "flow_log": after}
    if module._diff:
        result["diff"] = build_diff(before, after, differences)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
