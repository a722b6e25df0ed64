#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_endpoints
version_added: 0.1.0
short_description: Manage the whole set of VPC endpoints of one VPC
description:
  - Creates, updates and deletes the gateway and interface endpoints of one VPC in a single
    module run, with one C(DescribeVpcEndpoints) call to read the current state.
  - An endpoint is identified by O(vpc_id), its service name and its type.  Endpoints in the
    states V(deleted), V(deleting), V(failed) or V(rejected) are ignored.
  - Existing endpoints are updated in place with C(ModifyVpcEndpoint). Route tables, subnets and
    security groups are added and removed, the policy and the private DNS setting are changed,
    and tags are updated.
  - All the parameters are validated before any AWS call is made; the error message lists
    every problem found.
  - Endpoints of the VPC that are not listed in O(endpoints) are left alone unless
    O(purge_endpoints=true).
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  vpc_id:
    description:
      - The ID of the VPC whose endpoints are managed.
    type: str
    required: true
  endpoints:
    description:
      - The endpoints of the VPC.
      - With O(state=present) they are created or updated; with O(state=absent) they are deleted
        (only O(endpoints[].service) and O(endpoints[].type) matter then).
      - Two entries must not have the same service and type.
    type: list
    elements: dict
    default: []
    suboptions:
      service:
        description:
          - The service name, either in full (V(com.amazonaws.eu-west-1.s3)) or a short name
            (V(s3), V(ecr.api)) that is expanded to V(com.amazonaws.<region>.<short name>)
            with the region of the module.
          - Names starting with V(com.amazonaws.), V(cn.com.amazonaws.) or V(aws.) are full names.
        type: str
        required: true
      type:
        description:
          - The type of endpoint.
        type: str
        choices: ["Gateway", "Interface"]
        default: "Interface"
      route_table_ids:
        description:
          - The route tables of a V(Gateway) endpoint.
          - When not set, the route tables of an existing endpoint are left alone.
          - Not valid for V(Interface) endpoints.
        type: list
        elements: str
      subnet_ids:
        description:
          - The subnets in which an V(Interface) endpoint has network interfaces.
          - When not set, the subnets of an existing endpoint are left alone.
          - Not valid for V(Gateway) endpoints.
        type: list
        elements: str
      security_group_ids:
        description:
          - The security groups of the network interfaces of an V(Interface) endpoint.
          - When not set, AWS uses the default security group of the VPC for a new endpoint
            and the security groups of an existing endpoint are left alone.
          - Not valid for V(Gateway) endpoints.
        type: list
        elements: str
      private_dns_enabled:
        description:
          - Whether to associate a private hosted zone with the VPC for an V(Interface) endpoint.
          - Defaults to V(true) for V(Interface) endpoints.
          - Not valid for V(Gateway) endpoints.
        type: bool
      policy:
        description:
          - The endpoint policy, as a JSON string or a dictionary.
          - Compared with the current policy as parsed JSON (the order of keys and statements
            does not matter).
          - When not set, the policy of an existing endpoint is left alone and new endpoints get
            the AWS default policy (full access).
        type: raw
      tags:
        description:
          - Tags of this endpoint, merged over O(tags) (the values given here win).
          - When neither O(tags) nor O(endpoints[].tags) is set, the tags of the endpoint are
            left alone.
        type: dict
  tags:
    description:
      - Tags applied to every endpoint listed in O(endpoints), merged with O(endpoints[].tags).
      - If neither O(tags) nor O(endpoints[].tags) is set, the tags of an endpoint are not modified.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description:
      - If O(purge_tags=true) and tags are set for an endpoint, its other tags are removed.
      - Tag keys beginning with V(aws:) are reserved by Amazon and are never purged.
    type: bool
    default: true
  purge_endpoints:
    description:
      - Delete the endpoints of the VPC that are not listed in O(endpoints), and extra endpoints
        with the same service and type as a listed one.
      - With O(state=absent) and O(endpoints=[]), every endpoint of the VPC is deleted.
    type: bool
    default: false
  state:
    description:
      - Whether the listed endpoints should exist.
    type: str
    choices: ["present", "absent"]
    default: "present"
  wait:
    description:
      - Wait until the listed endpoints are V(available) (or V(pendingAcceptance)) and the deleted
        endpoints are gone.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true).
    type: int
    default: 320
notes:
  - One run makes one C(DescribeVpcEndpoints) call (paginated) when nothing changes; when
    something changes, one C(DeleteVpcEndpoints) call for all the deletions, one
    C(ModifyVpcEndpoint) call and up to two tag calls per updated endpoint, one
    C(CreateVpcEndpoint) call (with tags and a client token) per new endpoint, and one more
    C(DescribeVpcEndpoints) call to return the result.
  - In check mode no AWS call other than C(DescribeVpcEndpoints) is made; a VPC ID that does not
    exist yet (for example a placeholder while the VPC would be created by an earlier task)
    finds no endpoints, so all are predicted to be created, and the route table, subnet and
    security group IDs are not looked up.
  - Support for check mode and diff mode; the diff is keyed by service name.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the endpoints of the payments VPC
  fintech.payment_platform.vpc_endpoints:
    vpc_id: vpc-0123456789abcdef0
    tags:
      Environment: prod
    endpoints:
      - service: s3
        type: Gateway
        route_table_ids:
          - rtb-0123456789abcdef0
          - rtb-0123456789abcdef1
        tags:
          Name: vpce-s3
      - service: ecr.api
        subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
        security_group_ids: [sg-0123456789abcdef0]
      - service: com.amazonaws.eu-west-1.logs
        subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
        security_group_ids: [sg-0123456789abcdef0]
        private_dns_enabled: true
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: "logs:*"
              Resource: "*"
  register: vpc_endpoints

- name: Keep exactly these endpoints (delete the others)
  fintech.payment_platform.vpc_endpoints:
    vpc_id: vpc-0123456789abcdef0
    purge_endpoints: true
    endpoints:
      - service: s3
        type: Gateway
        route_table_ids: [rtb-0123456789abcdef0]

- name: Remove one endpoint
  fintech.payment_platform.vpc_endpoints:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    endpoints:
      - service: ecr.api

- name: Remove every endpoint of the VPC (teardown)
  fintech.payment_platform.vpc_endpoints:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    endpoints: []
    purge_endpoints: true
    wait: true
"""

RETURN = r"""
endpoints:
  description:
    - The listed endpoints after the module ran (in the order of O(endpoints)), or the predicted
      endpoints in check mode.
    - Empty when O(state=absent).
    - Besides the keys listed here, the other attributes AWS returns for an existing endpoint
      (for example RV(endpoints[].dns_entries)) are included in snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    vpc_endpoint_id:
      description:
        - The ID of the endpoint.
        - V(null) in check mode when the endpoint would be created.
      type: str
      returned: always
      sample: vpce-0123456789abcdef0
    vpc_id:
      description: The ID of the VPC.
      type: str
      returned: always
      sample: vpc-0123456789abcdef0
    service_name:
      description: The full service name.
      type: str
      returned: always
      sample: com.amazonaws.eu-west-1.s3
    vpc_endpoint_type:
      description: The type of endpoint.
      type: str
      returned: always
      sample: Gateway
    route_table_ids:
      description: The route tables of a gateway endpoint (sorted).
      type: list
      elements: str
      returned: always
      sample: ["rtb-0123456789abcdef0"]
    subnet_ids:
      description: The subnets of an interface endpoint (sorted).
      type: list
      elements: str
      returned: always
      sample: ["subnet-0123456789abcdef0"]
    security_group_ids:
      description: The security groups of an interface endpoint (sorted).
      type: list
      elements: str
      returned: always
      sample: ["sg-0123456789abcdef0"]
    private_dns_enabled:
      description: Whether private DNS is enabled.
      type: bool
      returned: always
      sample: true
    policy_document:
      description:
        - The endpoint policy, parsed.
        - In check mode the AWS default policy is predicted for a new endpoint without O(endpoints[].policy).
      type: dict
      returned: always
      sample: {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    state:
      description:
        - The state of the endpoint.
        - V(pending) in check mode when the endpoint would be created.
      type: str
      returned: always
      sample: available
    tags:
      description: The tags of the endpoint.
      type: dict
      returned: always
      sample: {"Name": "vpce-s3", "Environment": "prod"}
    creation_timestamp:
      description: When the endpoint was created.
      type: str
      returned: when the endpoint exists
      sample: "2025-01-01T12:00:00+00:00"
    dns_entries:
      description: The DNS entries of an interface endpoint.
      type: list
      elements: dict
      returned: when the endpoint exists
      sample: [{"dns_name": "vpce-0123456789abcdef0-abcdefgh.logs.eu-west-1.vpce.amazonaws.com", "hosted_zone_id": "Z2E726K9Y6RL4W"}]
    network_interface_ids:
      description: The network interfaces of an interface endpoint.
      type: list
      elements: str
      returned: when the endpoint exists
      sample: ["eni-0123456789abcdef0"]
deleted:
  description:
    - The IDs of the endpoints deleted (in check mode, that would be deleted).
  returned: always
  type: list
  elements: str
  sample: ["vpce-0123456789abcdef1"]
"""

import time
import uuid

from ansible.module_utils.common.warnings import warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import add_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import remove_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import ENDPOINT_KEYS
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import FAILED_STATES
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import READY_STATES
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import build_create_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import build_desired_endpoints
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import endpoint_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import normalize_endpoint
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import plan_endpoints
from ansible_collections.fintech.payment_platform.plugins.module_utils.endpoints import validate_endpoints_params

ENDPOINT_NOT_FOUND = ["InvalidVpcEndpointId.NotFound", "InvalidVpcEndpoint.NotFound"]
WAIT_DELAY = 5


class VpcEndpointErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(ENDPOINT_NOT_FOUND)


@VpcEndpointErrorHandler.list_error_handler("describe the VPC endpoints of {vpc_id}", [])
@AWSRetry.jittered_backoff()
def describe_vpc_endpoints_for_vpc(client, vpc_id):
    paginator = client.get_paginator("describe_vpc_endpoints")
    filters = ansible_dict_to_boto3_filter_list({"vpc-id": vpc_id})
    return paginator.paginate(Filters=filters).build_full_result()["VpcEndpoints"]


def read_endpoints(client, vpc_id):
    """The endpoints of the VPC (any state), normalized."""
    return [normalize_endpoint(endpoint) for endpoint in describe_vpc_endpoints_for_vpc(client, vpc_id)]


@VpcEndpointErrorHandler.common_error_handler("create the {params[VpcEndpointType]} endpoint of {params[ServiceName]}")
@AWSRetry.jittered_backoff()
def _create_vpc_endpoint(client, params):
    return client.create_vpc_endpoint(**params)["VpcEndpoint"]


def create_endpoint(client, desired, vpc_id):
    """Create one endpoint; the client token makes retried calls idempotent."""
    params = build_create_params(desired, vpc_id)
    params["ClientToken"] = str(uuid.uuid4())
    return normalize_endpoint(_create_vpc_endpoint(client, params))


@VpcEndpointErrorHandler.common_error_handler("modify VPC endpoint {endpoint_id}")
@AWSRetry.jittered_backoff()
def modify_endpoint(client, endpoint_id, params):
    return client.modify_vpc_endpoint(VpcEndpointId=endpoint_id, **params).get("Return", True)


@VpcEndpointErrorHandler.deletion_error_handler("delete VPC endpoints {endpoint_ids}")
@AWSRetry.jittered_backoff()
def _delete_vpc_endpoints(client, endpoint_ids):
    return client.delete_vpc_endpoints(VpcEndpointIds=endpoint_ids)


def _unsuccessful_message(unsuccessful):
    messages = []
    for item in unsuccessful:
        error = item.get("Error") or {}
        messages.append(f"{item.get('ResourceId')}: {error.get('Code')}: {error.get('Message')}")
    return "; ".join(messages)


def delete_endpoints(client, endpoint_ids):
    """Delete the endpoints in one call; return the IDs deleted (not those already gone)."""
    if not endpoint_ids:
        return []
    response = _delete_vpc_endpoints(client, list(endpoint_ids))
    if response is False:
        return []
    unsuccessful = response.get("Unsuccessful") or []
    failures = [item for item in unsuccessful if (item.get("Error") or {}).get("Code") not in ENDPOINT_NOT_FOUND]
    if failures:
        raise AnsibleEC2Error(message=f"Failed to delete VPC endpoints: {_unsuccessful_message(failures)}")
    gone = {item.get("ResourceId") for item in unsuccessful}
    return [endpoint_id for endpoint_id in endpoint_ids if endpoint_id not in gone]


def update_tags(client, module, endpoint_id, tags_to_set, tag_keys_to_unset):
    changed = remove_ec2_tags(client, module, endpoint_id, tag_keys_to_unset)
    changed |= add_ec2_tags(client, module, endpoint_id, tags_to_set)
    return changed


def _pending(endpoints, ready_ids, gone_ids):
    """(IDs still pending, endpoints that failed) for the wait."""
    by_id = {endpoint["vpc_endpoint_id"]: endpoint for endpoint in endpoints}
    failed = [by_id[i] for i in ready_ids if i in by_id and endpoint_state(by_id[i]) in FAILED_STATES]
    pending = [i for i in ready_ids if i not in by_id or endpoint_state(by_id[i]) not in READY_STATES]
    pending += [i for i in gone_ids if i in by_id and endpoint_state(by_id[i]) != "deleted"]
    return pending, failed


def wait_for_endpoints(client, vpc_id, ready_ids, gone_ids, timeout, endpoints=None, sleep=time.sleep, clock=time.monotonic):
    """Wait until *ready_ids* are available and *gone_ids* deleted.

    When *endpoints* (a fresh read) is given it is checked first, without a call.
    Returns the last endpoints read, or None when no call was needed.
    """
    deadline = clock() + timeout
    latest = None
    while True:
        if endpoints is None:
            endpoints = latest = read_endpoints(client, vpc_id)
        pending, failed = _pending(endpoints, ready_ids, gone_ids)
        if failed:
            states = ", ".join(f"{e['vpc_endpoint_id']} ({e['service_name']}): {e['state']}" for e in failed)
            raise AnsibleEC2Error(message=f"VPC endpoints failed while waiting: {states}")
        if not pending:
            return latest
        remaining = deadline - clock()
        if remaining <= 0:
            raise AnsibleEC2Error(message=f"Timeout after {timeout}s waiting for VPC endpoints {', '.join(pending)}")
        sleep(min(WAIT_DELAY, remaining))
        endpoints = None


def _with_fallback(endpoint, predicted):
    """*endpoint* as returned by CreateVpcEndpoint, completed with the predicted values it lacks."""
    if endpoint is None:
        return predicted
    result = dict(endpoint)
    for key in ENDPOINT_KEYS:
        if result.get(key) in (None, [], {}) and predicted.get(key) not in (None, [], {}):
            result[key] = predicted[key]
    return result


def apply_plan(client, module, plan, vpc_id):
    """Make the changes of *plan*.

    :return: (the endpoint per entry of the plan, None for state=absent; the IDs deleted)
    """
    done = []
    results = []
    deleted = []
    try:
        if plan["delete"]:
            deleted = delete_endpoints(client, [endpoint["vpc_endpoint_id"] for endpoint in plan["delete"]])
            if deleted:
                done.append(f"deleted {', '.join(deleted)}")
        for entry in plan["entries"]:
            desired = entry["desired"]
            if entry["action"] == "create":
                created = create_endpoint(client, desired, vpc_id)
                done.append(f"created {created['vpc_endpoint_id']} ({desired['service_name']})")
                results.append(_with_fallback(created, entry["predicted"]))
                continue
            if entry["action"] == "update":
                endpoint_id = entry["current"]["vpc_endpoint_id"]
                if entry["modify"]:
                    modify_endpoint(client, endpoint_id, entry["modify"])
                    done.append(f"modified {endpoint_id}")
                if update_tags(client, module, endpoint_id, entry["tags_to_set"], entry["tags_to_unset"]):
                    done.append(f"tagged {endpoint_id}")
            results.append(entry["predicted"])
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return results, deleted


def refresh(results, endpoints):
    """Replace the results by the endpoints read back, by ID."""
    by_id = {endpoint["vpc_endpoint_id"]: endpoint for endpoint in endpoints or []}
    refreshed = []
    for result in results:
        if result is None or result.get("vpc_endpoint_id") not in by_id:
            refreshed.append(result)
        else:
            refreshed.append(by_id[result["vpc_endpoint_id"]])
    return refreshed


def main():
    endpoint_options = dict(
        service=dict(type="str", required=True),
        type=dict(type="str", choices=["Gateway", "Interface"], default="Interface"),
        route_table_ids=dict(type="list", elements="str"),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        private_dns_enabled=dict(type="bool"),
        policy=dict(type="raw"),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        endpoints=dict(type="list", elements="dict", default=[], options=endpoint_options),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        purge_endpoints=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=320),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    region = module.region
    problem = validate_endpoints_params(module.params, region)
    if problem:
        module.fail_json(msg=problem)

    vpc_id = module.params["vpc_id"]
    state = module.params["state"]
    desired = build_desired_endpoints(module.params, region)
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())

    changed = False
    try:
        current = read_endpoints(client, vpc_id)
        plan = plan_endpoints(
            desired,
            current,
            vpc_id,
            state=state,
            purge_endpoints=module.params["purge_endpoints"],
            purge_tags=module.params["purge_tags"],
        )
        for warning in plan["warnings"]:
            # Not module.warn(): with ansible-core >= 2.19, AnsibleAWSModule also passes its
            # warnings to exit_json(), which ansible-core 2.21 reports as deprecated.
            warn(warning)

        if module.check_mode:
            results = [entry["predicted"] for entry in plan["entries"]]
            deleted = [endpoint["vpc_endpoint_id"] for endpoint in plan["delete"]]
            changed = plan["changed"]
        else:
            results, deleted = apply_plan(client, module, plan, vpc_id)
            # Endpoints that were already gone when deleted are not a change.
            changed = bool(deleted) or any(entry["action"] in ("create", "update") for entry in plan["entries"])
            latest = None
            if module.params["wait"]:
                ready_ids = [result["vpc_endpoint_id"] for result in results if result is not None]
                latest = wait_for_endpoints(
                    client,
                    vpc_id,
                    ready_ids,
                    deleted,
                    module.params["wait_timeout"],
                    endpoints=None if changed else current,
                )
            if changed and latest is None:
                latest = read_endpoints(client, vpc_id)
            results = refresh(results, latest)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    result = {
        "changed": changed,
        "endpoints": [endpoint for endpoint in results if endpoint is not None],
        "deleted": deleted,
    }
    if module._diff:
        result["diff"] = build_diff(plan, results)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
