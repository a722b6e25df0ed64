#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecr_repository
version_added: 0.3.0
short_description: Manage an Amazon ECR repository with its lifecycle policy and tags
description:
  - Create, update and delete an Amazon Elastic Container Registry (ECR) private repository with its image
    tag mutability, scan on push setting, encryption, lifecycle policy and tags.
  - Unlike M(community.aws.ecs_ecr) this module manages tags, validates every option before any AWS call,
    and fully supports check mode (also for a repository that does not exist yet, with a lifecycle policy)
    and diff mode.
  - Only what differs is changed; a run on a repository that is already as requested makes no
    mutating AWS call.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the repository.
      - 2 to 256 characters; lowercase letters and digits, separated by single V(.), V(_), V(-) or V(/)
        (for example V(payments/api)).
    type: str
    required: true
  state:
    description:
      - Whether the repository should exist.
      - With V(absent) all other options except O(name) and O(force_delete) are ignored.
    type: str
    choices: ["present", "absent"]
    default: "present"
  image_tag_mutability:
    description:
      - Whether image tags can be overwritten (V(MUTABLE)) or not (V(IMMUTABLE)).
    type: str
    choices: ["MUTABLE", "IMMUTABLE"]
    default: "IMMUTABLE"
  scan_on_push:
    description:
      - Whether images are scanned for vulnerabilities when they are pushed.
    type: bool
    default: true
  encryption_type:
    description:
      - How the images are encrypted at rest.
      - The encryption of a repository can only be set when it is created. When the existing repository
        has another encryption type or key the module fails, names the difference and changes nothing.
    type: str
    choices: ["AES256", "KMS"]
    default: "AES256"
  kms_key:
    description:
      - The KMS key encrypting the images, as key ARN, key ID, alias name (V(alias/NAME)) or alias ARN.
      - Only with O(encryption_type=KMS). When omitted with V(KMS), AWS uses its managed key V(aws/ecr)
        for a new repository, and the key of an existing repository is not compared.
      - An alias and a key are compared by resolving the alias with KMS DescribeKey.
      - In check mode the ARN of a key an earlier task only predicted (last part V(pending-check-mode))
        is accepted; outside check mode it is an error.
    type: str
  lifecycle_policy:
    description:
      - The lifecycle policy document (a dict with the key V(rules)), as described in
        U(https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html).
      - Compared with the current policy as parsed JSON (rules in V(rulePriority) order).
      - When omitted the lifecycle policy is left as it is, unless O(purge_lifecycle_policy=true).
    type: dict
  purge_lifecycle_policy:
    description:
      - Delete the lifecycle policy when O(lifecycle_policy) is omitted.
      - Must not be V(true) together with O(lifecycle_policy).
    type: bool
    default: false
  force_delete:
    description:
      - With O(state=absent), delete the repository even if it still contains images.
      - Without it a repository with images is not deleted and the module fails.
    type: bool
    default: false
notes:
  - Tags are managed with ListTagsForResource, TagResource and UntagResource.
  - In check mode RV(repository) is the predicted repository; the values AWS assigns at creation
    (RV(repository.repository_arn), RV(repository.repository_uri), RV(repository.registry_id)) are V(null) for
    a repository that does not exist yet.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Repository of the payments API, KMS encrypted, untagged images expire after a day, last 30 images kept
  fintech.payment_platform.ecr_repository:
    name: payments/api
    image_tag_mutability: IMMUTABLE
    scan_on_push: true
    encryption_type: KMS
    kms_key: alias/payments-ecr
    lifecycle_policy:
      rules:
        - rulePriority: 1
          description: Expire untagged images after one day
          selection:
            tagStatus: untagged
            countType: sinceImagePushed
            countUnit: days
            countNumber: 1
          action:
            type: expire
        - rulePriority: 2
          description: Keep the last 30 images
          selection:
            tagStatus: any
            countType: imageCountMoreThan
            countNumber: 30
          action:
            type: expire
    tags:
      Environment: production
      Service: payments-api
  register: api_repository

- name: Add a tag, leave the other tags and the lifecycle policy alone
  fintech.payment_platform.ecr_repository:
    name: payments/api
    encryption_type: KMS
    tags:
      CostCenter: "4711"
    purge_tags: false

- name: Remove the lifecycle policy
  fintech.payment_platform.ecr_repository:
    name: payments/api
    encryption_type: KMS
    purge_lifecycle_policy: true

- name: Delete a repository with its images
  fintech.payment_platform.ecr_repository:
    name: payments/legacy
    state: absent
    force_delete: true
"""

RETURN = r"""
repository:
  description:
    - The repository as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    repository_name:
      description: Name of the repository.
      returned: when the repository exists
      type: str
      sample: payments/api
    repository_arn:
      description: ARN of the repository; V(null) in check mode for a repository that does not exist yet.
      returned: when the repository exists
      type: str
      sample: arn:aws:ecr:eu-west-1:123456789012:repository/payments/api
    repository_uri:
      description: URI to push and pull images; V(null) in check mode for a repository that does not exist yet.
      returned: when the repository exists
      type: str
      sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api
    registry_id:
      description: ID of the registry (the account); V(null) in check mode for a repository that does not exist yet.
      returned: when the repository exists
      type: str
      sample: "123456789012"
    image_tag_mutability:
      description: V(MUTABLE) or V(IMMUTABLE).
      returned: when the repository exists
      type: str
      sample: IMMUTABLE
    scan_on_push:
      description: Whether images are scanned when they are pushed.
      returned: when the repository exists
      type: bool
      sample: true
    encryption_configuration:
      description: The encryption at rest.
      returned: when the repository exists
      type: dict
      contains:
        encryption_type:
          description: V(AES256) or V(KMS).
          returned: always
          type: str
          sample: KMS
        kms_key:
          description: The KMS key as AWS reports it; V(null) with V(AES256).
          returned: always
          type: str
          sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    lifecycle_policy:
      description: The lifecycle policy document; V(null) when the repository has none.
      returned: when the repository exists
      type: dict
      sample: {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
               "countUnit": "days", "countNumber": 1}, "action": {"type": "expire"}}]}
    tags:
      description: Tags of the repository.
      returned: when the repository exists
      type: dict
      sample: {"Environment": "production"}
diff:
  description: The mutability, scanning, encryption, lifecycle policy and tags before and after (V({}) when absent).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The repository before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The repository after the module ran.
      returned: in diff mode
      type: dict
      sample: {"image_tag_mutability": "IMMUTABLE", "scan_on_push": true,
               "encryption_configuration": {"encryption_type": "AES256", "kms_key": null},
               "lifecycle_policy": null, "tags": {}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import string_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import ENCRYPTION_TYPES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import IMAGE_TAG_MUTABILITIES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import create_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import encryption_error
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import image_tag_mutability_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import kms_key_needs_resolving
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import lifecycle_policy_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import lifecycle_policy_text
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import normalize_repository
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import predict_new_repository
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import scan_on_push_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import tags_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecr_repository import validate_params

MISSING_ERROR_CODES = ["RepositoryNotFoundException", "LifecyclePolicyNotFoundException"]


class AnsibleEcrRepositoryError(AnsibleAWSError):
    pass


class EcrRepositoryErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEcrRepositoryError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(MISSING_ERROR_CODES)


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@EcrRepositoryErrorHandler.list_error_handler("describe repository {name}", None)
@AWSRetry.jittered_backoff()
def describe_repository(client, name):
    repositories = client.describe_repositories(repositoryNames=[name]).get("repositories", [])
    for repository in repositories:
        if repository.get("repositoryName") == name:
            return repository
    return None


@EcrRepositoryErrorHandler.list_error_handler("get the lifecycle policy of repository {name}", None)
@AWSRetry.jittered_backoff()
def get_lifecycle_policy_text(client, name):
    return client.get_lifecycle_policy(repositoryName=name).get("lifecyclePolicyText")


@EcrRepositoryErrorHandler.list_error_handler("list tags of repository {arn}", {})
@AWSRetry.jittered_backoff()
def list_repository_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(resourceArn=arn).get("tags", []))


@EcrRepositoryErrorHandler.list_error_handler("check whether repository {name} contains images", False)
@AWSRetry.jittered_backoff()
def has_images(client, name):
    return bool(client.list_images(repositoryName=name, maxResults=1).get("imageIds"))


@EcrRepositoryErrorHandler.common_error_handler("create repository {name}")
@AWSRetry.jittered_backoff()
def create_repository(client, name, request, tags):
    """Create the repository; the raw repository, or None when it was created concurrently by someone else."""
    request = dict(request, repositoryName=name)
    if tags:
        request["tags"] = ansible_dict_to_boto3_tag_list(tags)
    try:
        return client.create_repository(**request)["repository"]
    except is_boto3_error_code("RepositoryAlreadyExistsException"):
        return None


@EcrRepositoryErrorHandler.deletion_error_handler("delete repository {name}")
@AWSRetry.jittered_backoff()
def delete_repository(client, name, force):
    try:
        client.delete_repository(repositoryName=name, force=force)
    except is_boto3_error_code("RepositoryNotEmptyException"):
        raise AnsibleEcrRepositoryError(message=not_empty_message(name))
    return True


@EcrRepositoryErrorHandler.common_error_handler("set the image tag mutability of repository {name} to {mutability}")
@AWSRetry.jittered_backoff()
def put_image_tag_mutability(client, name, mutability):
    client.put_image_tag_mutability(repositoryName=name, imageTagMutability=mutability)
    return True


@EcrRepositoryErrorHandler.common_error_handler("set scan on push of repository {name} to {scan_on_push}")
@AWSRetry.jittered_backoff()
def put_image_scanning_configuration(client, name, scan_on_push):
    client.put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": scan_on_push}
    )
    return True


@EcrRepositoryErrorHandler.common_error_handler("put the lifecycle policy of repository {name}")
@AWSRetry.jittered_backoff()
def put_lifecycle_policy(client, name, policy):
    client.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=lifecycle_policy_text(policy))
    return True


@EcrRepositoryErrorHandler.deletion_error_handler("delete the lifecycle policy of repository {name}")
@AWSRetry.jittered_backoff()
def delete_lifecycle_policy(client, name):
    client.delete_lifecycle_policy(repositoryName=name)
    return True


@EcrRepositoryErrorHandler.common_error_handler("tag repository {arn}")
@AWSRetry.jittered_backoff()
def tag_repository(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@EcrRepositoryErrorHandler.common_error_handler("untag repository {arn}")
@AWSRetry.jittered_backoff()
def untag_repository(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True


@EcrRepositoryErrorHandler.common_error_handler("resolve the KMS key {key}")
@AWSRetry.jittered_backoff()
def resolve_kms_key(kms_client, key):
    return kms_client.describe_key(KeyId=key)["KeyMetadata"]["Arn"]


def not_empty_message(name):
    return (
        f"repository {name} still contains images and was not deleted: "
        "set force_delete=true to delete it with its images"
    )


def get_repository(client, name):
    """The normalised repository called name (with its lifecycle policy and tags), or None."""
    raw_repository = describe_repository(client, name)
    if not raw_repository:
        return None
    policy_text = get_lifecycle_policy_text(client, name)
    tags = list_repository_tags(client, raw_repository["repositoryArn"])
    try:
        return normalize_repository(raw_repository, policy_text, tags)
    except ValueError as e:
        raise AnsibleEcrRepositoryError(message=f"the lifecycle policy of repository {name} is not valid JSON: {e}")


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def check_encryption(current, params, check_mode, kms_client_factory):
    """Fail when the requested encryption differs from the existing repository's (aliases resolved with KMS)."""
    resolved_keys = None
    if kms_key_needs_resolving(current, params, check_mode):
        kms_client = kms_client_factory()
        keys = (current["encryption_configuration"]["kms_key"], params["kms_key"])
        resolved_keys = {key: resolve_kms_key(kms_client, key) for key in keys}
    problem = encryption_error(current, params, check_mode, resolved_keys)
    if problem:
        raise AnsibleEcrRepositoryError(message=problem)


def ensure_exists(client, current, params, check_mode, kms_client_factory):
    if current:
        return False, current

    predicted = predict_new_repository(params)
    if check_mode:
        return True, predicted

    name = params["name"]
    raw_repository = create_repository(client, name, create_request(params), string_tags(params["tags"]))
    if raw_repository is None:
        # Lost a creation race: work on what the other party created.
        existing = get_repository(client, name)
        if existing:
            check_encryption(existing, params, check_mode, kms_client_factory)
        return False, existing or predicted
    created = normalize_repository(raw_repository, None, predicted["tags"])
    return True, created


def ensure_image_tag_mutability(client, current, mutability, check_mode):
    new_mutability = image_tag_mutability_change(current, mutability)
    if new_mutability is None:
        return False, current
    if not check_mode:
        put_image_tag_mutability(client, current["repository_name"], new_mutability)
    return True, apply_changes(current, {"image_tag_mutability": new_mutability})


def ensure_scan_on_push(client, current, scan_on_push, check_mode):
    new_scan = scan_on_push_change(current, scan_on_push)
    if new_scan is None:
        return False, current
    if not check_mode:
        put_image_scanning_configuration(client, current["repository_name"], new_scan)
    return True, apply_changes(current, {"scan_on_push": new_scan})


def ensure_lifecycle_policy(client, current, lifecycle_policy, purge_lifecycle_policy, check_mode):
    change = lifecycle_policy_change(current, lifecycle_policy, purge_lifecycle_policy)
    if change is None:
        return False, current
    action, policy = change
    if not check_mode:
        if action == "put":
            put_lifecycle_policy(client, current["repository_name"], policy)
        else:
            delete_lifecycle_policy(client, current["repository_name"])
    return True, apply_changes(current, {"lifecycle_policy": change})


def ensure_tags(client, current, tags, purge_tags, check_mode):
    tags_to_set, tag_keys_to_unset = tags_change(current, tags, purge_tags)
    if not tags_to_set and not tag_keys_to_unset:
        return False, current
    if not check_mode:
        arn = current["repository_arn"]
        untag_repository(client, arn, tag_keys_to_unset)
        tag_repository(client, arn, tags_to_set)
    return True, apply_changes(current, {"tags_to_set": tags_to_set, "tag_keys_to_unset": tag_keys_to_unset})


def ensure_present(client, current, params, check_mode, kms_client_factory):
    if current:
        check_encryption(current, params, check_mode, kms_client_factory)

    changed, repository = ensure_exists(client, current, params, check_mode, kms_client_factory)

    steps = (
        lambda repo: ensure_image_tag_mutability(client, repo, params["image_tag_mutability"], check_mode),
        lambda repo: ensure_scan_on_push(client, repo, params["scan_on_push"], check_mode),
        lambda repo: ensure_lifecycle_policy(
            client, repo, params["lifecycle_policy"], params["purge_lifecycle_policy"], check_mode
        ),
        lambda repo: ensure_tags(client, repo, params["tags"], params["purge_tags"], check_mode),
    )
    for step in steps:
        step_changed, repository = step(repository)
        changed |= step_changed
    return changed, repository


def ensure_absent(client, current, force_delete, check_mode):
    if not current:
        return False
    name = current["repository_name"]
    if check_mode:
        if not force_delete and has_images(client, name):
            raise AnsibleEcrRepositoryError(message=not_empty_message(name))
        return True
    return delete_repository(client, name, force_delete)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        image_tag_mutability=dict(type="str", choices=list(IMAGE_TAG_MUTABILITIES), default="IMMUTABLE"),
        scan_on_push=dict(type="bool", default=True),
        encryption_type=dict(type="str", choices=list(ENCRYPTION_TYPES), default="AES256"),
        kms_key=dict(type="str", no_log=False),
        lifecycle_policy=dict(type="dict"),
        purge_lifecycle_policy=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        force_delete=dict(type="bool", default=False),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params, module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    name = module.params["name"]
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())

    def kms_client_factory():
        return module.client("kms", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original = get_repository(client, name)

        if module.params["state"] == "absent":
            changed = ensure_absent(client, original, module.params["force_delete"], module.check_mode)
            final = None
        else:
            changed, final = ensure_present(client, original, module.params, module.check_mode, kms_client_factory)
            if changed and not module.check_mode:
                # Report what AWS has now, falling back on the prediction
                final = get_repository(client, name) or final
    except AnsibleEcrRepositoryError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "repository": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
