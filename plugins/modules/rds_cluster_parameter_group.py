#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_cluster_parameter_group
version_added: 0.2.0
short_description: Manage an RDS DB cluster parameter group and the parameters set in it
description:
  - Create, update and delete an Amazon RDS DB cluster parameter group (Aurora), with the parameters set
    in it and its tags.
  - The parameters of the group are compared with the parameters set in the group itself
    (DescribeDBClusterParameters with V(Source=user)); only the differences are sent, at most 20 per
    ModifyDBClusterParameterGroup call.
  - Unlike M(amazon.aws.rds_cluster_param_group) the parameter names are not required to be listed in the
    engine defaults of the family. When AWS serves the engine defaults (DescribeEngineDefaultClusterParameters
    returns a non-empty list) they are used to validate the planned changes before any change is made;
    unknown parameter names, parameters that cannot be modified, and static parameters with
    O(apply_method=immediate) then fail. An endpoint that serves no engine defaults (an empty list, as the
    local AWS emulator answers) skips that validation; the values are then sent as they are.
  - All options are validated before any AWS call; check mode and diff mode are fully supported.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the DB cluster parameter group.
      - 1 to 255 letters, digits or hyphens, starting with a letter, without a trailing hyphen or two
        consecutive hyphens.
      - AWS stores the name in lowercase; the module lowercases it before any call and returns it in lowercase.
    type: str
    required: true
  state:
    description:
      - Whether the group should exist.
      - With V(absent) the group is deleted; all other options except O(name) are then ignored.
        Deleting a group that does not exist is not a change. Deleting a group that a DB cluster still
        uses fails with the message of AWS (C(InvalidDBParameterGroupState)).
    type: str
    choices: ["present", "absent"]
    default: "present"
  family:
    description:
      - The DB parameter group family, for example V(aurora-postgresql16) or V(aurora-mysql8.0).
      - Required to create the group.
      - The family cannot change. When the existing group has another family the module fails and
        changes nothing. When omitted the family of the existing group is kept.
    type: str
  description:
    description:
      - Description of the group.
      - Only used when the group is created; AWS does not allow changing it afterwards. When the existing
        group has another description the module warns and leaves it as it is.
    type: str
    default: "Managed by Ansible"
  parameters:
    description:
      - The parameters to set in the group, as a dictionary of parameter name and value,
        for example C(rds.force_ssl) with the value V(1).
      - Values may be strings, integers, floats or booleans. They are compared as the strings RDS stores;
        V(true) and V(false) become V("1") and V("0"), numbers their decimal text.
      - Parameters set in the group but not listed here are left as they are, unless O(purge_parameters=true).
      - When omitted the parameters of the group are left as they are (also with O(purge_parameters=true)).
    type: dict
  apply_method:
    description:
      - When changed parameters take effect on the clusters that use the group.
      - V(immediate) is only accepted by AWS for dynamic parameters; V(pending-reboot) works for both static
        and dynamic parameters, which then take effect at the next reboot.
      - Used for the parameters that are set and for the parameters that are reset.
    type: str
    choices: ["immediate", "pending-reboot"]
    default: "pending-reboot"
  purge_parameters:
    description:
      - Reset the parameters set in the group (V(Source=user)) that are not listed in O(parameters) to the
        engine default, with ResetDBClusterParameterGroup.
      - Has no effect when O(parameters) is omitted; use O(parameters={}) to reset every parameter.
    type: bool
    default: false
notes:
  - Tags are managed with the ARN based ListTagsForResource, AddTagsToResource and RemoveTagsFromResource APIs.
  - RV(db_cluster_parameter_group.parameters) holds the parameters set in the group (V(Source=user)), not the
    engine defaults.
  - In check mode RV(db_cluster_parameter_group) is the predicted group; RV(db_cluster_parameter_group.arn)
    is V(null) for a group that does not exist yet.
  - Changing a parameter in a group that a cluster uses may take a few minutes to reach the cluster; with
    V(pending-reboot) the cluster instances must be rebooted.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Aurora PostgreSQL cluster parameter group that enforces TLS
  fintech.payment_platform.rds_cluster_parameter_group:
    name: payments-aurora-pg16
    family: aurora-postgresql16
    description: Payments Aurora PostgreSQL 16 cluster parameters
    parameters:
      rds.force_ssl: 1
      log_min_duration_statement: 500
    tags:
      Environment: production
  register: cluster_parameter_group

- name: Set a dynamic parameter right away, leaving the other parameters as they are
  fintech.payment_platform.rds_cluster_parameter_group:
    name: payments-aurora-pg16
    parameters:
      log_min_duration_statement: 1000
    apply_method: immediate

- name: Keep exactly these parameters, resetting any other parameter set in the group
  fintech.payment_platform.rds_cluster_parameter_group:
    name: payments-aurora-pg16
    family: aurora-postgresql16
    parameters:
      rds.force_ssl: true
    purge_parameters: true

- name: Delete the group (fails while a cluster still uses it)
  fintech.payment_platform.rds_cluster_parameter_group:
    name: payments-aurora-pg16
    state: absent
"""

RETURN = r"""
db_cluster_parameter_group:
  description:
    - The group as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: Name of the group (lowercase).
      returned: when the group exists
      type: str
      sample: payments-aurora-pg16
    family:
      description: The DB parameter group family.
      returned: when the group exists
      type: str
      sample: aurora-postgresql16
    description:
      description: Description of the group.
      returned: when the group exists
      type: str
      sample: Managed by Ansible
    arn:
      description:
        - ARN of the group.
        - V(null) in check mode for a group that does not exist yet.
      returned: when the group exists
      type: str
      sample: arn:aws:rds:eu-west-1:123456789012:cluster-pg:payments-aurora-pg16
    parameters:
      description: The parameters set in the group (V(Source=user)), name and value as RDS stores them.
      returned: when the group exists
      type: dict
      sample: {"rds.force_ssl": "1", "log_min_duration_statement": "500"}
    tags:
      description: Tags of the group.
      returned: when the group exists
      type: dict
      sample: {"Environment": "production"}
diff:
  description: The group before and after (V({}) for an absent group).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The group before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The group after the module ran.
      returned: in diff mode
      type: dict
      sample: {"name": "payments-aurora-pg16", "family": "aurora-postgresql16", "description": "Managed by Ansible",
               "parameters": {"rds.force_ssl": "1"}, "tags": {}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import string_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import APPLY_METHODS
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import DEFAULT_APPLY_METHOD
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import DEFAULT_DESCRIPTION
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import description_warning
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import engine_default_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import family_problem
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import modify_requests
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import normalize_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import normalize_name
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import normalize_parameters
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import parameter_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import predict_new_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import reset_requests
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import tags_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import user_parameters
from ansible_collections.fintech.payment_platform.plugins.module_utils.rds_parameters import validate_params


class AnsibleClusterParameterGroupError(AnsibleAWSError):
    pass


class ClusterParameterGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleClusterParameterGroupError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("DBParameterGroupNotFound")


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@ClusterParameterGroupErrorHandler.list_error_handler("describe DB cluster parameter group {name}")
@AWSRetry.jittered_backoff()
def describe_group(client, name):
    groups = client.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name)
    for group in groups.get("DBClusterParameterGroups", []):
        if (group.get("DBClusterParameterGroupName") or "").lower() == name:
            return group
    return None


@ClusterParameterGroupErrorHandler.list_error_handler("describe the parameters of DB cluster parameter group {name}", [])
@AWSRetry.jittered_backoff()
def describe_user_parameters(client, name):
    paginator = client.get_paginator("describe_db_cluster_parameters")
    result = paginator.paginate(DBClusterParameterGroupName=name, Source="user").build_full_result()
    return result.get("Parameters", [])


@ClusterParameterGroupErrorHandler.common_error_handler("describe the engine default cluster parameters of family {family}")
@AWSRetry.jittered_backoff()
def describe_engine_defaults(client, family):
    paginator = client.get_paginator("describe_engine_default_cluster_parameters")
    result = paginator.paginate(DBParameterGroupFamily=family).build_full_result()
    return (result.get("EngineDefaults") or {}).get("Parameters", [])


@ClusterParameterGroupErrorHandler.list_error_handler("list tags of DB cluster parameter group {arn}", {})
@AWSRetry.jittered_backoff()
def list_group_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList", []))


@ClusterParameterGroupErrorHandler.common_error_handler("create DB cluster parameter group {name}")
@AWSRetry.jittered_backoff()
def create_group(client, name, family, description, tags=None):
    """The created group (boto3 dict), or None when it already exists (created concurrently)."""
    request = {
        "DBClusterParameterGroupName": name,
        "DBParameterGroupFamily": family,
        "Description": description,
    }
    if tags:
        request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    try:
        return client.create_db_cluster_parameter_group(**request)["DBClusterParameterGroup"]
    except is_boto3_error_code("DBParameterGroupAlreadyExists"):
        return None


@ClusterParameterGroupErrorHandler.common_error_handler("modify parameters of DB cluster parameter group {name}")
@AWSRetry.jittered_backoff()
def modify_parameters(client, name, parameters):
    client.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=parameters)
    return True


@ClusterParameterGroupErrorHandler.common_error_handler("reset parameters of DB cluster parameter group {name}")
@AWSRetry.jittered_backoff()
def reset_parameters(client, name, parameters):
    client.reset_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=parameters)
    return True


@ClusterParameterGroupErrorHandler.common_error_handler("tag DB cluster parameter group {arn}")
@AWSRetry.jittered_backoff()
def add_group_tags(client, arn, tags):
    if not tags:
        return False
    client.add_tags_to_resource(ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@ClusterParameterGroupErrorHandler.common_error_handler("untag DB cluster parameter group {arn}")
@AWSRetry.jittered_backoff()
def remove_group_tags(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.remove_tags_from_resource(ResourceName=arn, TagKeys=list(tag_keys))
    return True


@ClusterParameterGroupErrorHandler.deletion_error_handler("delete DB cluster parameter group {name}")
@AWSRetry.jittered_backoff()
def delete_group(client, name):
    client.delete_db_cluster_parameter_group(DBClusterParameterGroupName=name)
    return True


def get_group(client, name):
    """The normalised group called name (with its user-set parameters and tags), or None."""
    raw_group = describe_group(client, name)
    if not raw_group:
        return None
    parameters = user_parameters(describe_user_parameters(client, raw_group["DBClusterParameterGroupName"]))
    arn = raw_group.get("DBClusterParameterGroupArn")
    tags = list_group_tags(client, arn) if arn else {}
    return normalize_group(raw_group, parameters, tags)


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


class EngineDefaults:
    """The engine default cluster parameters of a family, read at most once and only when needed."""

    def __init__(self, client):
        self.client = client
        self._cache = {}

    def get(self, family):
        if family not in self._cache:
            self._cache[family] = describe_engine_defaults(self.client, family)
        return self._cache[family]


def plan_parameters(group, desired_parameters, purge_parameters, apply_method, engine_defaults):
    """(to_modify, to_reset) for group; raises when the engine defaults (if served) reject the plan."""
    to_modify, to_reset = parameter_changes(group["parameters"], desired_parameters, purge_parameters)
    if to_modify or to_reset:
        problems = engine_default_problems(engine_defaults.get(group["family"]), to_modify, to_reset, apply_method)
        if problems:
            raise AnsibleClusterParameterGroupError(message=invalid_parameters_message(problems))
    return to_modify, to_reset


def check_family(group, family):
    problem = family_problem(group, family)
    if problem:
        raise AnsibleClusterParameterGroupError(message=problem)


def ensure_exists(client, current, params, check_mode):
    """(created, group): the existing group, or the one created (predicted in check mode)."""
    if current:
        return False, current

    name = params["name"]
    predicted = predict_new_group(name, params["family"], params["description"], params["tags"])
    if check_mode:
        return True, predicted

    raw_group = create_group(client, name, params["family"], params["description"], string_tags(params["tags"]))
    if raw_group is None:
        # Lost a creation race: carry on with what the other party created.
        existing = get_group(client, name)
        if existing is None:
            raise AnsibleClusterParameterGroupError(message=f"DB cluster parameter group {name} vanished while being created")
        check_family(existing, params["family"])
        return False, existing
    created = normalize_group(raw_group, {}, predicted["tags"])
    created["family"] = created["family"] or predicted["family"]
    created["description"] = created["description"] or predicted["description"]
    return True, created


def ensure_parameters(client, group, to_modify, to_reset, apply_method, check_mode, done):
    if not to_modify and not to_reset:
        return False, group
    if not check_mode:
        name = group["name"]
        for batch in modify_requests(to_modify, apply_method):
            modify_parameters(client, name, batch)
            done.append("set " + ", ".join(entry["ParameterName"] for entry in batch))
        for batch in reset_requests(to_reset, apply_method):
            reset_parameters(client, name, batch)
            done.append("reset " + ", ".join(entry["ParameterName"] for entry in batch))
    return True, apply_changes(group, to_modify=to_modify, to_reset=to_reset)


def ensure_tags(client, group, tags, purge_tags, check_mode, done):
    tags_to_set, tag_keys_to_unset = tags_change(group, tags, purge_tags)
    if not tags_to_set and not tag_keys_to_unset:
        return False, group
    if not check_mode:
        remove_group_tags(client, group["arn"], tag_keys_to_unset)
        add_group_tags(client, group["arn"], tags_to_set)
        done.append("tags updated")
    return True, apply_changes(group, tags=tags, purge_tags=purge_tags)


def ensure_present(client, current, params, check_mode, engine_defaults=None):
    """(changed, group) after making the group match params (predicted in check mode)."""
    name = params["name"]
    if engine_defaults is None:
        engine_defaults = EngineDefaults(client)
    check_family(current, params["family"])
    if current is None and not params["family"]:
        raise AnsibleClusterParameterGroupError(
            message=f"family is required to create DB cluster parameter group {name}, which does not exist"
        )

    desired_parameters = normalize_parameters(params["parameters"])
    purge_parameters = params["purge_parameters"]
    apply_method = params["apply_method"]

    # Validate the whole plan (against the engine defaults when AWS serves them) before any change.
    planned = current or predict_new_group(name, params["family"], params["description"], params["tags"])
    plan_parameters(planned, desired_parameters, purge_parameters, apply_method, engine_defaults)

    done = []
    try:
        changed, group = ensure_exists(client, current, params, check_mode)
        if changed and not check_mode:
            done.append(f"created {name}")
        to_modify, to_reset = plan_parameters(group, desired_parameters, purge_parameters, apply_method, engine_defaults)
        parameters_changed, group = ensure_parameters(client, group, to_modify, to_reset, apply_method, check_mode, done)
        tags_changed, group = ensure_tags(client, group, params["tags"], params["purge_tags"], check_mode, done)
    except AnsibleClusterParameterGroupError as e:
        note_changes_made(e, done)
        raise
    return changed or parameters_changed or tags_changed, group


def ensure_absent(client, current, check_mode):
    if not current:
        return False
    if check_mode:
        return True
    return delete_group(client, current["name"])


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        family=dict(type="str"),
        description=dict(type="str", default=DEFAULT_DESCRIPTION),
        parameters=dict(type="dict"),
        apply_method=dict(type="str", choices=list(APPLY_METHODS), default=DEFAULT_APPLY_METHOD),
        purge_parameters=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    params = dict(module.params)
    params["name"] = normalize_name(params["name"])
    if params["family"] is not None:
        params["family"] = params["family"].strip()
    message = invalid_parameters_message(validate_params(params))
    if message:
        module.fail_json(msg=message)

    name = params["name"]
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original = get_group(client, name)

        if params["state"] == "absent":
            changed = ensure_absent(client, original, module.check_mode)
            final = None
        else:
            warning = description_warning(original, params["description"])
            if warning:
                module.warn(warning)
            changed, final = ensure_present(client, original, params, module.check_mode)
            if changed and not module.check_mode:
                # Report what AWS has now, falling back on the prediction
                final = get_group(client, name) or final
    except AnsibleClusterParameterGroupError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "db_cluster_parameter_group": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
