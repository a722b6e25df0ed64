#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_log_bucket
version_added: 0.3.0
short_description: Manage a compliant S3 bucket for logs
description:
  - Create, update and delete an Amazon S3 general purpose bucket that holds logs (for example
    the access logs of an Application Load Balancer, or the log archive written by Firehose), with
    its default encryption, public access block, object ownership, versioning, lifecycle rules,
    bucket policy and tags.
  - Unlike M(amazon.aws.s3_bucket) and M(amazon.aws.s3_lifecycle) this module fully supports check
    mode and diff mode, validates every option before making any AWS call (listing all the problems
    found), and compares lifecycle rules and the policy once the equivalent spellings AWS accepts are
    normalised, so that a run that changes nothing makes no mutating AWS call.
  - Each setting is read with its C(Get*) call and written only when it differs (C(PutBucketEncryption),
    C(PutPublicAccessBlock), C(PutBucketOwnershipControls), C(PutBucketVersioning),
    C(PutBucketLifecycleConfiguration) or C(DeleteBucketLifecycle), C(PutBucketPolicy) or
    C(DeleteBucketPolicy), C(PutBucketTagging) or C(DeleteBucketTagging)). A setting that is not
    configured (C(NoSuchLifecycleConfiguration), C(ServerSideEncryptionConfigurationNotFoundError),
    C(NoSuchPublicAccessBlockConfiguration), C(OwnershipControlsNotFoundError), C(NoSuchBucketPolicy),
    C(NoSuchTagSet)) is read as empty.
  - The public access block is not an option, all four flags (C(BlockPublicAcls), C(IgnorePublicAcls),
    C(BlockPublicPolicy), C(RestrictPublicBuckets)) are always on.
  - A bucket name that belongs to another AWS account (C(HeadBucket) answers 403, or C(CreateBucket)
    answers C(BucketAlreadyExists)) makes the module fail, also in check mode and with O(state=absent).
  - An existing bucket must be in the region of the module; the module fails otherwise.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the bucket.
      - 3 to 63 characters from V(a-z), V(0-9), V(.) and V(-), beginning and ending with a letter or a
        digit, without two adjacent dots, not formatted as an IP address (V(192.168.5.4)), not starting
        with V(xn--), V(sthree-) or V(amzn-s3-demo-) and not ending with V(-s3alias), V(--ol-s3),
        V(.mrap), V(--x-s3) or V(--table-s3).
    type: str
    required: true
  state:
    description:
      - Whether the bucket should exist.
      - With V(absent) the bucket is deleted; see O(force_destroy). All other options except O(name)
        and O(force_destroy) are then ignored.
    type: str
    choices: ["present", "absent"]
    default: "present"
  encryption:
    description:
      - Default encryption of the objects written to the bucket.
      - V(AES256) is SSE-S3 (keys managed by S3). Use it for the access logs of load balancers, which
        do not support buckets encrypted with SSE-KMS.
      - V(aws:kms) is SSE-KMS with the key O(kms_key_id).
      - This option always applies, also when omitted, so an SSE-KMS bucket must be given
        O(encryption=aws:kms) and its key on every run (O(versioning) and O(object_ownership) likewise
        apply their defaults).
    type: str
    choices: ["AES256", "aws:kms"]
    default: "AES256"
  kms_key_id:
    description:
      - The KMS key of O(encryption=aws:kms), required then, and not allowed with V(AES256).
      - A key ARN (V(arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab)), an
        alias ARN (V(arn:aws:kms:eu-west-1:123456789012:alias/logs)) or an alias name (V(alias/logs)).
        S3 stores it as given and the module compares it as given.
      - The key must be in the region of the bucket.
      - In check mode, an ARN whose last part is V(pending-check-mode) stands for a key that an earlier
        task would create; it is accepted in check mode only.
    type: str
  bucket_key_enabled:
    description:
      - Whether S3 Bucket Keys are used with O(encryption=aws:kms), which reduces the calls to KMS.
      - Defaults to V(true) with V(aws:kms). Not allowed to be V(true) with V(AES256).
    type: bool
  versioning:
    description:
      - Whether versioning is enabled.
      - Versioning cannot be switched off once enabled, V(false) on a bucket with versioning enabled
        suspends it (V(Suspended)); a bucket that never had versioning stays V(Disabled).
    type: bool
    default: false
  object_ownership:
    description:
      - Object ownership setting of the bucket.
      - V(BucketOwnerEnforced) disables ACLs, the bucket owner owns every object.
    type: str
    choices: ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]
    default: "BucketOwnerEnforced"
  lifecycle_rules:
    description:
      - The lifecycle rules of the bucket. The listed rules are the whole lifecycle configuration,
        rules that are not listed are removed.
      - An empty list removes the lifecycle configuration.
      - When omitted, the lifecycle configuration is left as it is.
      - Rules are compared by O(lifecycle_rules[].id), in any order, with the equivalent forms of AWS
        (C(Filter.Prefix) or the legacy C(Prefix)) treated as equal.
      - "Transitions must go down the order V(STANDARD_IA), V(INTELLIGENT_TIERING), V(ONEZONE_IA),
        V(GLACIER_IR), V(GLACIER), V(DEEP_ARCHIVE) (each class at most once, V(ONEZONE_IA) never to
        V(GLACIER_IR)), on increasing days."
      - "The module enforces the minimum durations of S3: a transition to V(STANDARD_IA) or
        V(ONEZONE_IA) no earlier than day 30; the next transition at least 30 days after a transition to
        V(STANDARD_IA) or V(ONEZONE_IA), and at least 90 days after a transition to V(GLACIER_IR) or
        V(GLACIER) (their minimum storage durations: for example V(DEEP_ARCHIVE) on day 180 at the
        earliest after V(GLACIER) on day 90); the expiration after the last transition. The same rules
        apply to noncurrent versions, counted in days since they became noncurrent."
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - Unique identifier of the rule, up to 255 characters.
        type: str
        required: true
      prefix:
        description:
          - The rule applies to the objects whose key starts with this prefix; V("") is every object.
        type: str
        default: ""
      enabled:
        description:
          - Whether the rule is enabled.
        type: bool
        default: true
      transitions:
        description:
          - When objects move to another storage class, counted in days since their creation.
        type: list
        elements: dict
        suboptions:
          days:
            description:
              - Age of the objects in days.
            type: int
            required: true
          storage_class:
            description:
              - One of V(STANDARD_IA), V(INTELLIGENT_TIERING), V(ONEZONE_IA), V(GLACIER_IR), V(GLACIER)
                or V(DEEP_ARCHIVE).
            type: str
            required: true
      expiration_days:
        description:
          - Age in days at which objects expire, after the last transition.
        type: int
      noncurrent_version_transitions:
        description:
          - When noncurrent versions move to another storage class, counted in days since they became
            noncurrent.
        type: list
        elements: dict
        suboptions:
          days:
            description:
              - Days since the version became noncurrent (at least 1).
            type: int
            required: true
          storage_class:
            description:
              - One of V(STANDARD_IA), V(INTELLIGENT_TIERING), V(ONEZONE_IA), V(GLACIER_IR), V(GLACIER)
                or V(DEEP_ARCHIVE).
            type: str
            required: true
      noncurrent_version_expiration_days:
        description:
          - Days after which noncurrent versions are deleted, after the last noncurrent transition.
        type: int
      abort_incomplete_multipart_upload_days:
        description:
          - Days after which incomplete multipart uploads are aborted.
        type: int
  policy:
    description:
      - The bucket policy, as a dictionary (a JSON string of an object is accepted too).
      - Compared with the current policy as parsed JSON, in the same order (S3 keeps the order of the
        statements), where a one-item list and the item itself are equal (for C(Action), C(NotAction),
        C(Resource), C(NotResource), the values of C(Principal) and of C(Condition) operators).
      - When omitted (V(null)), the policy is left as it is unless O(purge_policy=true).
    type: dict
  purge_policy:
    description:
      - Delete the bucket policy when O(policy) is omitted.
      - Ignored when O(policy) is set.
    type: bool
    default: false
  force_destroy:
    description:
      - With O(state=absent), empty the bucket before deleting it.
      - The bucket policy is deleted first (a policy that denies object operations would stop the
        bucket from being emptied), then every object version and delete marker (in batches of 1000,
        page by page) and every incomplete multipart upload, then the bucket.
      - With V(false) a bucket that is not empty is not deleted and the module fails.
    type: bool
    default: true
notes:
  - A run that changes nothing makes one C(HeadBucket) and seven C(Get*) calls.
  - After changes, RV(bucket) reports the settings the module applied, not a new read (S3 configuration
    reads can lag behind writes). In check mode RV(bucket) is the predicted bucket.
  - A new bucket is created with C(CreateBucket) (with a C(LocationConstraint) outside V(us-east-1)),
    then every setting is applied.
  - When a step fails part way, the failure message lists the changes already made.
  - Tags whose key starts with V(aws:) belong to AWS and are never sent in C(PutBucketTagging).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Access-log bucket of the load balancer (SSE-S3, kept 7 years)
  fintech.payment_platform.s3_log_bucket:
    name: payments-alb-logs-prod
    encryption: AES256
    lifecycle_rules:
      - id: expire-after-7-years
        expiration_days: 2557
        abort_incomplete_multipart_upload_days: 7
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: AllowLoadBalancerLogDelivery
          Effect: Allow
          Principal:
            Service: logdelivery.elasticloadbalancing.amazonaws.com
          Action: s3:PutObject
          Resource: arn:aws:s3:::payments-alb-logs-prod/AWSLogs/123456789012/*
        - Sid: DenyInsecureTransport
          Effect: Deny
          Principal: "*"
          Action: s3:*
          Resource:
            - arn:aws:s3:::payments-alb-logs-prod
            - arn:aws:s3:::payments-alb-logs-prod/*
          Condition:
            Bool:
              aws:SecureTransport: "false"
    tags:
      Environment: prod
  register: alb_log_bucket

- name: Log archive written by Firehose (SSE-KMS, versioned, archived then expired after 7 years)
  fintech.payment_platform.s3_log_bucket:
    name: payments-log-archive-prod
    encryption: aws:kms
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    versioning: true
    lifecycle_rules:
      - id: archive
        transitions:
          - days: 90
            storage_class: GLACIER
          - days: 180
            storage_class: DEEP_ARCHIVE
        expiration_days: 2557
        noncurrent_version_expiration_days: 30
        abort_incomplete_multipart_upload_days: 7

- name: Remove the bucket policy
  fintech.payment_platform.s3_log_bucket:
    name: payments-alb-logs-prod
    purge_policy: true

- name: Delete a bucket with all its objects
  fintech.payment_platform.s3_log_bucket:
    name: payments-alb-logs-dev
    state: absent
"""

RETURN = r"""
bucket:
  description:
    - The bucket as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: Name of the bucket.
      returned: when the bucket exists
      type: str
      sample: payments-alb-logs-prod
    arn:
      description: ARN of the bucket.
      returned: when the bucket exists
      type: str
      sample: arn:aws:s3:::payments-alb-logs-prod
    region:
      description: Region of the bucket.
      returned: when the bucket exists
      type: str
      sample: eu-west-1
    encryption:
      description: Default encryption; V(null) values when none is configured.
      returned: when the bucket exists
      type: dict
      contains:
        sse_algorithm:
          description: V(AES256) or V(aws:kms).
          type: str
          returned: when the bucket exists
          sample: aws:kms
        kms_master_key_id:
          description: The KMS key, as configured; V(null) with V(AES256).
          type: str
          returned: when the bucket exists
          sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
        bucket_key_enabled:
          description: Whether S3 Bucket Keys are used.
          type: bool
          returned: when the bucket exists
          sample: true
    versioning:
      description: V(Enabled), V(Suspended), or V(Disabled) when versioning was never enabled.
      returned: when the bucket exists
      type: str
      sample: Enabled
    object_ownership:
      description: Object ownership setting; V(null) when not configured.
      returned: when the bucket exists
      type: str
      sample: BucketOwnerEnforced
    public_access_block:
      description: The public access block; every flag V(false) when none is configured.
      returned: when the bucket exists
      type: dict
      sample: {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}
    lifecycle_rules:
      description: The lifecycle rules as AWS returns them, in snake_case; V([]) when none are configured.
      returned: when the bucket exists
      type: list
      elements: dict
      sample:
        - id: archive
          filter: {prefix: ""}
          status: Enabled
          transitions: [{days: 90, storage_class: GLACIER}, {days: 180, storage_class: DEEP_ARCHIVE}]
          expiration: {days: 2557}
          abort_incomplete_multipart_upload: {days_after_initiation: 7}
    policy:
      description: The bucket policy, parsed; V(null) when there is none.
      returned: when the bucket exists
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    tags:
      description: Tags of the bucket.
      returned: when the bucket exists
      type: dict
      sample: {"Environment": "prod"}
diff:
  description: The settings of the bucket before and after (V({}) for an absent bucket).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The bucket before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The bucket after the module ran.
      returned: in diff mode
      type: dict
      sample: {"versioning": "Enabled", "object_ownership": "BucketOwnerEnforced", "tags": {}}
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import DEFAULT_OBJECT_OWNERSHIP
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import DELETE_OBJECTS_BATCH
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import ENCRYPTION_ALGORITHMS
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import OBJECT_OWNERSHIPS
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import SSE_S3
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import batches
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import compute_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import delete_errors_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import describe_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import desired_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import encryption_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import foreign_bucket_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import normalize_bucket
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import object_versions_to_delete
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import parse_policy_document
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import predict_new_bucket
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import public_access_block_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import region_problem
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import tagging_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.s3_log_bucket import validate_params

# The answers of the Get* calls for a setting that is not configured (read as empty)
NOT_CONFIGURED_ERROR_CODES = [
    "NoSuchLifecycleConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "OwnershipControlsNotFoundError",
    "NoSuchBucketPolicy",
    "NoSuchTagSet",
]
# A bucket (or multipart upload) that does not exist
MISSING_ERROR_CODES = ["404", "NoSuchBucket", "NotFound", "NoSuchUpload"]
# HeadBucket answers a bare 403 for a bucket of another account
FORBIDDEN_ERROR_CODES = ["403", "AccessDenied", "Forbidden"]
# Retried on writes: a conflicting operation in progress, and a bucket just created that is not
# visible everywhere yet
WRITE_RETRY_ERROR_CODES = ["OperationAborted", "NoSuchBucket"]
US_EAST_1 = "us-east-1"


class AnsibleS3LogBucketError(AnsibleAWSError):
    pass


class S3LogBucketErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleS3LogBucketError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(NOT_CONFIGURED_ERROR_CODES + MISSING_ERROR_CODES)


# ---------------------------------------------------------------------------
# AWS calls: reading
# ---------------------------------------------------------------------------


@S3LogBucketErrorHandler.list_error_handler("look up bucket {name}")
@AWSRetry.jittered_backoff()
def head_bucket(client, name):
    """HeadBucket's answer, or None when the bucket does not exist."""
    try:
        return client.head_bucket(Bucket=name)
    except is_boto3_error_code(FORBIDDEN_ERROR_CODES) as e:
        raise AnsibleS3LogBucketError(message=foreign_bucket_message(name), exception=e) from e


@S3LogBucketErrorHandler.list_error_handler("get the default encryption of bucket {name}")
@AWSRetry.jittered_backoff()
def get_bucket_encryption(client, name):
    return client.get_bucket_encryption(Bucket=name).get("ServerSideEncryptionConfiguration")


@S3LogBucketErrorHandler.list_error_handler("get the public access block of bucket {name}")
@AWSRetry.jittered_backoff()
def get_public_access_block(client, name):
    return client.get_public_access_block(Bucket=name).get("PublicAccessBlockConfiguration")


@S3LogBucketErrorHandler.list_error_handler("get the ownership controls of bucket {name}")
@AWSRetry.jittered_backoff()
def get_bucket_ownership_controls(client, name):
    return client.get_bucket_ownership_controls(Bucket=name).get("OwnershipControls")


@S3LogBucketErrorHandler.list_error_handler("get the versioning of bucket {name}")
@AWSRetry.jittered_backoff()
def get_bucket_versioning(client, name):
    response = client.get_bucket_versioning(Bucket=name)
    return {"Status": response["Status"]} if response.get("Status") else {}


@S3LogBucketErrorHandler.list_error_handler("get the lifecycle configuration of bucket {name}")
@AWSRetry.jittered_backoff()
def get_bucket_lifecycle_rules(client, name):
    return client.get_bucket_lifecycle_configuration(Bucket=name).get("Rules", [])


@S3LogBucketErrorHandler.list_error_handler("get the policy of bucket {name}")
@AWSRetry.jittered_backoff()
def get_bucket_policy(client, name):
    policy = client.get_bucket_policy(Bucket=name).get("Policy")
    try:
        return parse_policy_document(policy)
    except ValueError as e:
        raise AnsibleS3LogBucketError(message=f"The policy of bucket {name} is not valid JSON", exception=e) from e


@S3LogBucketErrorHandler.list_error_handler("get the tags of bucket {name}")
@AWSRetry.jittered_backoff()
def get_bucket_tags(client, name):
    return boto3_tag_list_to_ansible_dict(client.get_bucket_tagging(Bucket=name).get("TagSet", []))


def region_of(response, default):
    """The region of a bucket from its HeadBucket answer."""
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    return response.get("BucketRegion") or headers.get("x-amz-bucket-region") or default


def get_bucket(client, name, region):
    """The normalised bucket called name, or None when it does not exist.

    Fails for a bucket of another account, and for a bucket in another region.
    """
    response = head_bucket(client, name)
    if response is None:
        return None
    bucket_region = region_of(response, region)
    problem = region_problem(name, bucket_region, region)
    if problem:
        raise AnsibleS3LogBucketError(message=problem)
    raw = {
        "encryption": get_bucket_encryption(client, name),
        "public_access_block": get_public_access_block(client, name),
        "ownership_controls": get_bucket_ownership_controls(client, name),
        "versioning": get_bucket_versioning(client, name),
        "lifecycle_rules": get_bucket_lifecycle_rules(client, name),
        "policy": get_bucket_policy(client, name),
        "tags": get_bucket_tags(client, name),
    }
    return normalize_bucket(name, bucket_region, raw)


# ---------------------------------------------------------------------------
# AWS calls: writing
# ---------------------------------------------------------------------------


@S3LogBucketErrorHandler.common_error_handler("create bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"])
def create_bucket(client, name, region):
    """Create the bucket; False when this account created it meanwhile."""
    request = {"Bucket": name}
    if region and region != US_EAST_1:
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(**request)
    except is_boto3_error_code("BucketAlreadyOwnedByYou"):
        return False
    except is_boto3_error_code("BucketAlreadyExists") as e:  # pylint: disable=duplicate-except
        raise AnsibleS3LogBucketError(message=foreign_bucket_message(name), exception=e) from e
    return True


@S3LogBucketErrorHandler.common_error_handler("set the default encryption of bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=WRITE_RETRY_ERROR_CODES)
def put_bucket_encryption(client, name, encryption):
    client.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=encryption_request(encryption))
    return True


@S3LogBucketErrorHandler.common_error_handler("block public access to bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=WRITE_RETRY_ERROR_CODES)
def put_public_access_block(client, name, public_access_block):
    client.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration=public_access_block_request(public_access_block)
    )
    return True


@S3LogBucketErrorHandler.common_error_handler("set the object ownership of bucket {name} to {object_ownership}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=WRITE_RETRY_ERROR_CODES)
def put_bucket_ownership_controls(client, name, object_ownership):
    client.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": object_ownership}]}
    )
    return True


@S3LogBucketErrorHandler.common_error_handler("set the versioning of bucket {name} to {status}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=WRITE_RETRY_ERROR_CODES)
def put_bucket_versioning(client, name, status):
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    return True


@S3LogBucketErrorHandler.common_error_handler("set the lifecycle rules of bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=WRITE_RETRY_ERROR_CODES)
def put_bucket_lifecycle_rules(client, name, rules):
    client.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    return True


@S3LogBucketErrorHandler.deletion_error_handler("delete the lifecycle configuration of bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"])
def delete_bucket_lifecycle(client, name):
    client.delete_bucket_lifecycle(Bucket=name)
    return True


@S3LogBucketErrorHandler.common_error_handler("set the policy of bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=WRITE_RETRY_ERROR_CODES)
def put_bucket_policy(client, name, policy):
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return True


@S3LogBucketErrorHandler.deletion_error_handler("delete the policy of bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"])
def delete_bucket_policy(client, name):
    client.delete_bucket_policy(Bucket=name)
    return True


@S3LogBucketErrorHandler.common_error_handler("tag bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=WRITE_RETRY_ERROR_CODES)
def put_bucket_tagging(client, name, tag_set):
    client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_set})
    return True


@S3LogBucketErrorHandler.deletion_error_handler("delete the tags of bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"])
def delete_bucket_tagging(client, name):
    client.delete_bucket_tagging(Bucket=name)
    return True


# ---------------------------------------------------------------------------
# AWS calls: deleting
# ---------------------------------------------------------------------------


@S3LogBucketErrorHandler.common_error_handler("list the object versions of bucket {name}")
@AWSRetry.jittered_backoff()
def list_object_versions_page(client, name, key_marker=None, version_id_marker=None, max_keys=DELETE_OBJECTS_BATCH):
    request = {"Bucket": name, "MaxKeys": max_keys}
    if key_marker:
        request["KeyMarker"] = key_marker
    if version_id_marker:
        request["VersionIdMarker"] = version_id_marker
    return client.list_object_versions(**request)


@S3LogBucketErrorHandler.common_error_handler("delete objects from bucket {name}")
@AWSRetry.jittered_backoff()
def delete_objects(client, name, objects):
    """Delete up to 1000 object versions; fails when S3 could not delete some of them."""
    response = client.delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
    errors = response.get("Errors") or []
    if errors:
        raise AnsibleS3LogBucketError(message=delete_errors_message(name, errors))
    return len(objects)


@S3LogBucketErrorHandler.list_error_handler("list the multipart uploads of bucket {name}", [])
@AWSRetry.jittered_backoff()
def list_multipart_uploads(client, name):
    paginator = client.get_paginator("list_multipart_uploads")
    return paginator.paginate(Bucket=name).build_full_result().get("Uploads", [])


@S3LogBucketErrorHandler.deletion_error_handler("abort the multipart upload of {key} in bucket {name}")
@AWSRetry.jittered_backoff()
def abort_multipart_upload(client, name, key, upload_id):
    client.abort_multipart_upload(Bucket=name, Key=key, UploadId=upload_id)
    return True


@S3LogBucketErrorHandler.deletion_error_handler("delete bucket {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"])
def delete_bucket(client, name):
    try:
        client.delete_bucket(Bucket=name)
    except is_boto3_error_code("BucketNotEmpty") as e:
        raise AnsibleS3LogBucketError(
            message=f"Bucket {name} is not empty: set force_destroy: true to delete its objects with it",
            exception=e,
        ) from e
    return True


def empty_bucket(client, name, max_keys=DELETE_OBJECTS_BATCH):
    """Delete every object version, delete marker and incomplete multipart upload of the bucket.

    Returns the number of object versions and delete markers deleted.
    """
    deleted = 0
    key_marker = version_id_marker = None
    while True:
        page = list_object_versions_page(client, name, key_marker, version_id_marker, max_keys)
        for batch in batches(object_versions_to_delete(page)):
            deleted += delete_objects(client, name, batch)
        if not page.get("IsTruncated"):
            break
        key_marker, version_id_marker = page.get("NextKeyMarker"), page.get("NextVersionIdMarker")
    for upload in list_multipart_uploads(client, name):
        abort_multipart_upload(client, name, upload["Key"], upload["UploadId"])
    return deleted


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def apply_bucket_changes(client, name, changes, done):
    """Make the calls for changes (as returned by compute_changes), noting each in done."""
    if "encryption" in changes:
        put_bucket_encryption(client, name, changes["encryption"])
        done.extend(describe_changes({"encryption": changes["encryption"]}))
    if "public_access_block" in changes:
        put_public_access_block(client, name, changes["public_access_block"])
        done.extend(describe_changes({"public_access_block": changes["public_access_block"]}))
    if "object_ownership" in changes:
        put_bucket_ownership_controls(client, name, changes["object_ownership"])
        done.extend(describe_changes({"object_ownership": changes["object_ownership"]}))
    if "versioning" in changes:
        put_bucket_versioning(client, name, changes["versioning"])
        done.extend(describe_changes({"versioning": changes["versioning"]}))
    if "lifecycle_rules" in changes:
        if changes["lifecycle_rules"]:
            put_bucket_lifecycle_rules(client, name, changes["lifecycle_rules"])
        else:
            delete_bucket_lifecycle(client, name)
        done.extend(describe_changes({"lifecycle_rules": changes["lifecycle_rules"]}))
    if "policy" in changes:
        if changes["policy"] is None:
            delete_bucket_policy(client, name)
        else:
            put_bucket_policy(client, name, changes["policy"])
        done.extend(describe_changes({"policy": changes["policy"]}))
    if "tags" in changes:
        tag_set = tagging_request(changes["tags"])
        if tag_set:
            put_bucket_tagging(client, name, tag_set)
        else:
            delete_bucket_tagging(client, name)
        done.extend(describe_changes({"tags": changes["tags"]}))


def ensure_present(client, current, desired, region, check_mode):
    """Returns (changed, bucket)."""
    name = desired["name"]
    done = []
    changed = False
    bucket = current
    try:
        if bucket is None:
            changed = True
            bucket = predict_new_bucket(name, region)
            if not check_mode:
                if create_bucket(client, name, region):
                    done.append(f"bucket {name} created")
                else:
                    # Created meanwhile by this account: compare with what it has.
                    changed = False
                    bucket = get_bucket(client, name, region) or bucket

        changes = compute_changes(bucket, desired)
        if changes:
            changed = True
            if not check_mode:
                apply_bucket_changes(client, name, changes, done)
    except AnsibleS3LogBucketError as e:
        note_changes_made(e, done)
        raise
    return changed, apply_changes(bucket, changes)


def ensure_absent(client, current, force_destroy, check_mode):
    """Delete the bucket (emptied first with force_destroy); returns changed."""
    if current is None:
        return False
    if check_mode:
        return True
    name = current["name"]
    done = []
    try:
        if force_destroy:
            # The policy goes first: a policy that denies object operations would stop the emptying.
            if current.get("policy") is not None and delete_bucket_policy(client, name):
                done.append("policy deleted")
            deleted = empty_bucket(client, name)
            if deleted:
                done.append(f"{deleted} object versions and delete markers deleted")
        return delete_bucket(client, name)
    except AnsibleS3LogBucketError as e:
        note_changes_made(e, done)
        raise


def main():
    transition_options = dict(
        days=dict(type="int", required=True),
        storage_class=dict(type="str", required=True),
    )
    rule_options = dict(
        id=dict(type="str", required=True),
        prefix=dict(type="str", default=""),
        enabled=dict(type="bool", default=True),
        transitions=dict(type="list", elements="dict", options=transition_options),
        expiration_days=dict(type="int"),
        noncurrent_version_transitions=dict(type="list", elements="dict", options=transition_options),
        noncurrent_version_expiration_days=dict(type="int"),
        abort_incomplete_multipart_upload_days=dict(type="int"),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        encryption=dict(type="str", choices=list(ENCRYPTION_ALGORITHMS), default=SSE_S3),
        kms_key_id=dict(type="str", no_log=False),
        bucket_key_enabled=dict(type="bool"),
        versioning=dict(type="bool", default=False),
        object_ownership=dict(type="str", choices=list(OBJECT_OWNERSHIPS), default=DEFAULT_OBJECT_OWNERSHIP),
        lifecycle_rules=dict(type="list", elements="dict", options=rule_options),
        policy=dict(type="dict"),
        purge_policy=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        force_destroy=dict(type="bool", default=True),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    region = module.region
    problem = validate_params(module.params, region, module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    name = module.params["name"]
    client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original = get_bucket(client, name, region)
        if module.params["state"] == "absent":
            changed = ensure_absent(client, original, module.params["force_destroy"], module.check_mode)
            final = None
        else:
            changed, final = ensure_present(client, original, desired_state(module.params), region, module.check_mode)
    except AnsibleS3LogBucketError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "bucket": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
