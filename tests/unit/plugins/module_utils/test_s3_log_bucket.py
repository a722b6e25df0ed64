# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import json
from copy import deepcopy

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import s3_log_bucket as utils

REGION = "ap-southeast-1"
NAME = "payments-alb-logs-dev"
KEY_ARN = f"arn:aws:kms:{REGION}:123456789012:key/11111111-2222-3333-4444-555555555555"
PLACEHOLDER_KEY = f"arn:aws:kms:{REGION}:123456789012:key/pending-check-mode"

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowLoadBalancerLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{NAME}/AWSLogs/123456789012/*",
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}


def params(**overrides):
    options = {
        "name": NAME,
        "state": "present",
        "encryption": "AES256",
        "kms_key_id": None,
        "bucket_key_enabled": None,
        "versioning": False,
        "object_ownership": "BucketOwnerEnforced",
        "lifecycle_rules": None,
        "policy": None,
        "purge_policy": False,
        "tags": None,
        "purge_tags": True,
        "force_destroy": True,
    }
    options.update(overrides)
    return options


def rule(**overrides):
    entry = {
        "id": "archive",
        "prefix": "",
        "enabled": True,
        "transitions": None,
        "expiration_days": None,
        "noncurrent_version_transitions": None,
        "noncurrent_version_expiration_days": None,
        "abort_incomplete_multipart_upload_days": None,
    }
    entry.update(overrides)
    return entry


def archive_rule():
    return rule(
        transitions=[{"days": 90, "storage_class": "GLACIER"}, {"days": 180, "storage_class": "DEEP_ARCHIVE"}],
        expiration_days=2557,
        noncurrent_version_expiration_days=30,
        abort_incomplete_multipart_upload_days=7,
    )


def configured_bucket(**overrides):
    bucket = {
        "name": NAME,
        "arn": f"arn:aws:s3:::{NAME}",
        "region": REGION,
        "encryption": {"sse_algorithm": "AES256", "kms_master_key_id": None, "bucket_key_enabled": False},
        "versioning": "Disabled",
        "object_ownership": "BucketOwnerEnforced",
        "public_access_block": dict(utils.PUBLIC_ACCESS_BLOCK),
        "lifecycle_rules": [],
        "policy": None,
        "tags": {},
    }
    bucket.update(overrides)
    return bucket


def problems_of(**overrides):
    message = utils.validate_params(params(**overrides), REGION)
    assert message is not None
    return message


# --- names, ARNs, placeholders -------------------------------------------------


@pytest.mark.parametrize(
    "region, arn",
    [
        ("eu-west-1", "arn:aws:s3:::b"),
        ("cn-north-1", "arn:aws-cn:s3:::b"),
        ("us-gov-west-1", "arn:aws-us-gov:s3:::b"),
        (None, "arn:aws:s3:::b"),
    ],
)
def test_bucket_arn(region, arn):
    assert utils.bucket_arn("b", region) == arn


@pytest.mark.parametrize(
    "value, expected",
    [
        (PLACEHOLDER_KEY, True),
        (f"arn:aws:kms:{REGION}:123456789012:alias/pending-check-mode", True),
        ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/pending-check-mode", True),
        (KEY_ARN, False),
        ("pending-check-mode", False),
        (None, False),
    ],
)
def test_is_placeholder_arn(value, expected):
    assert utils.is_placeholder_arn(value) is expected


@pytest.mark.parametrize(
    "name",
    ["abc", "payments-alb-logs-dev", "logs.example.com", "a" * 63, "1bucket9", "my-bucket.v2"],
)
def test_valid_bucket_names(name):
    assert utils.bucket_name_problems(name) == []


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("", "must not be empty"),
        ("ab", "3 to 63 characters long: got 2"),
        ("a" * 64, "3 to 63 characters long: got 64"),
        ("Payments", "lowercase letters, digits, dots"),
        ("my_bucket", "lowercase letters, digits, dots"),
        ("-bucket", "begin and end with a lowercase letter or a digit"),
        ("bucket.", "begin and end with a lowercase letter or a digit"),
        ("my..bucket", "two adjacent dots"),
        ("192.168.5.4", "formatted as an IP address"),
        ("xn--bucket", "must not start with 'xn--'"),
        ("sthree-bucket", "must not start with 'sthree-'"),
        ("bucket-s3alias", "must not end with '-s3alias'"),
        ("bucket--ol-s3", "must not end with '--ol-s3'"),
    ],
)
def test_invalid_bucket_names(name, fragment):
    problems = utils.bucket_name_problems(name)
    assert any(fragment in problem for problem in problems), problems


# --- validation: encryption ------------------------------------------------------


def test_defaults_are_valid():
    assert utils.validate_params(params(), REGION) is None


@pytest.mark.parametrize(
    "kms_key_id",
    [
        KEY_ARN,
        f"arn:aws:kms:{REGION}:123456789012:alias/log-archive",
        "alias/log-archive",
        f"arn:aws:kms:{REGION}:123456789012:key/mrk-0123456789abcdef0123456789abcdef",
    ],
)
def test_kms_key_forms(kms_key_id):
    assert utils.validate_params(params(encryption="aws:kms", kms_key_id=kms_key_id), REGION) is None


def test_kms_requires_a_key():
    assert "kms_key_id is required with encryption: aws:kms" in problems_of(encryption="aws:kms")


@pytest.mark.parametrize("kms_key_id", ["11111111-2222-3333-4444-555555555555", "my-key", "arn:aws:kms:x"])
def test_kms_key_bad_format(kms_key_id):
    assert "kms_key_id must be a KMS key ARN" in problems_of(encryption="aws:kms", kms_key_id=kms_key_id)


def test_kms_key_in_another_region():
    other = KEY_ARN.replace(REGION, "eu-west-1")
    message = problems_of(encryption="aws:kms", kms_key_id=other)
    assert f"kms_key_id must be a key in the bucket's region {REGION}: got a key in eu-west-1" in message


def test_kms_key_region_unknown_is_not_checked():
    other = KEY_ARN.replace(REGION, "eu-west-1")
    assert utils.validate_params(params(encryption="aws:kms", kms_key_id=other), None) is None


def test_placeholder_key_in_check_mode_only():
    assert utils.validate_params(params(encryption="aws:kms", kms_key_id=PLACEHOLDER_KEY), REGION, True) is None
    message = problems_of(encryption="aws:kms", kms_key_id=PLACEHOLDER_KEY)
    assert "is a placeholder for a key that does not exist yet (accepted in check mode only)" in message


def test_aes256_refuses_kms_options():
    message = problems_of(kms_key_id=KEY_ARN, bucket_key_enabled=True)
    assert "kms_key_id requires encryption: aws:kms" in message
    assert "bucket_key_enabled requires encryption: aws:kms" in message
    assert message.startswith("Invalid parameters (2 problems, nothing was changed): ")


def test_aes256_accepts_bucket_key_disabled():
    assert utils.validate_params(params(bucket_key_enabled=False), REGION) is None


# --- validation: lifecycle -------------------------------------------------------


def test_archive_rule_is_valid():
    alb_rule = rule(id="expire", expiration_days=2557, abort_incomplete_multipart_upload_days=7)
    assert utils.validate_params(params(lifecycle_rules=[archive_rule(), alb_rule]), REGION) is None


def test_full_waterfall_is_valid():
    transitions = [
        {"days": 30, "storage_class": "STANDARD_IA"},
        {"days": 60, "storage_class": "INTELLIGENT_TIERING"},
        {"days": 61, "storage_class": "GLACIER_IR"},
        {"days": 151, "storage_class": "GLACIER"},
        {"days": 241, "storage_class": "DEEP_ARCHIVE"},
    ]
    assert utils.lifecycle_problems([rule(transitions=transitions, expiration_days=242)]) == []


def test_glacier_on_day_zero_is_valid():
    assert utils.lifecycle_problems([rule(transitions=[{"days": 0, "storage_class": "GLACIER"}])]) == []


@pytest.mark.parametrize(
    "transitions, fragment",
    [
        (
            [{"days": 90, "storage_class": "GLACIER"}, {"days": 90, "storage_class": "DEEP_ARCHIVE"}],
            "days must increase from one transition to the next: DEEP_ARCHIVE on day 90 is not after GLACIER on day 90",
        ),
        (
            [{"days": 90, "storage_class": "GLACIER"}, {"days": 179, "storage_class": "DEEP_ARCHIVE"}],
            "DEEP_ARCHIVE on day 179 must be at least 90 days after GLACIER on day 90 (minimum storage duration of GLACIER)",
        ),
        (
            [{"days": 180, "storage_class": "DEEP_ARCHIVE"}, {"days": 270, "storage_class": "GLACIER"}],
            "GLACIER cannot follow DEEP_ARCHIVE",
        ),
        (
            [{"days": 30, "storage_class": "GLACIER"}, {"days": 200, "storage_class": "GLACIER"}],
            "GLACIER cannot follow GLACIER",
        ),
        (
            [{"days": 30, "storage_class": "ONEZONE_IA"}, {"days": 90, "storage_class": "GLACIER_IR"}],
            "S3 does not move objects from ONEZONE_IA to GLACIER_IR",
        ),
        (
            [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 59, "storage_class": "GLACIER"}],
            "GLACIER on day 59 must be at least 30 days after STANDARD_IA on day 30",
        ),
        ([{"days": 29, "storage_class": "STANDARD_IA"}], "days for STANDARD_IA must be at least 30: got 29"),
        ([{"days": 10, "storage_class": "ONEZONE_IA"}], "days for ONEZONE_IA must be at least 30: got 10"),
        ([{"days": -1, "storage_class": "GLACIER"}], "days for GLACIER must be at least 0: got -1"),
        ([{"days": 90, "storage_class": "STANDARD"}], "storage_class must be one of STANDARD_IA, INTELLIGENT_TIERING"),
        ([{"days": 90, "storage_class": "glacier"}], "got 'glacier'"),
        ([{"days": True, "storage_class": "GLACIER"}], "must be a whole number of days"),
    ],
)
def test_invalid_transitions(transitions, fragment):
    problems = utils.lifecycle_problems([rule(transitions=transitions)])
    assert any(fragment in problem for problem in problems), problems
    assert all(problem.startswith("lifecycle_rules[0] (archive): transitions[") for problem in problems)


@pytest.mark.parametrize("expiration_days", [180, 100])
def test_expiration_must_follow_the_last_transition(expiration_days):
    transitions = [{"days": 90, "storage_class": "GLACIER"}, {"days": 180, "storage_class": "DEEP_ARCHIVE"}]
    problems = utils.lifecycle_problems([rule(transitions=transitions, expiration_days=expiration_days)])
    assert problems == [
        f"lifecycle_rules[0] (archive): expiration_days ({expiration_days}) must be after the last transition (day 180)"
    ]


def test_noncurrent_transitions_and_expiration():
    noncurrent = [{"days": 0, "storage_class": "GLACIER"}]
    problems = utils.lifecycle_problems([rule(noncurrent_version_transitions=noncurrent)])
    assert problems == [
        "lifecycle_rules[0] (archive): noncurrent_version_transitions[0]: days for GLACIER must be at least 1: got 0"
    ]
    noncurrent = [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 60, "storage_class": "GLACIER"}]
    problems = utils.lifecycle_problems(
        [rule(noncurrent_version_transitions=noncurrent, noncurrent_version_expiration_days=60)]
    )
    assert problems == [
        "lifecycle_rules[0] (archive): noncurrent_version_expiration_days (60) must be after the last transition (day 60)"
    ]


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({}, "the rule has no action"),
        ({"transitions": []}, "the rule has no action"),
        ({"expiration_days": 0}, "expiration_days must be at least 1: got 0"),
        ({"noncurrent_version_expiration_days": 0}, "noncurrent_version_expiration_days must be at least 1"),
        ({"abort_incomplete_multipart_upload_days": 0}, "abort_incomplete_multipart_upload_days must be at least 1"),
        ({"expiration_days": 3, "id": ""}, "id must not be empty"),
        ({"expiration_days": 3, "id": "x" * 256}, "id must be at most 255 characters long"),
        ({"expiration_days": 3, "prefix": "p" * 1025}, "prefix must be at most 1024 characters long"),
    ],
)
def test_invalid_rules(overrides, fragment):
    problems = utils.lifecycle_problems([rule(**overrides)])
    assert any(fragment in problem for problem in problems), problems


def test_duplicate_rule_ids():
    problems = utils.lifecycle_problems([rule(expiration_days=3), rule(expiration_days=4)])
    assert problems == ["lifecycle_rules: the id 'archive' is used by more than one rule"]


def test_too_many_rules():
    rules = [rule(id=f"r{index}", expiration_days=1) for index in range(1001)]
    assert utils.lifecycle_problems(rules) == ["lifecycle_rules may hold at most 1000 rules: got 1001"]


# --- validation: policy, tags, absent ----------------------------------------------


@pytest.mark.parametrize(
    "policy, fragment",
    [
        ({}, "policy must have a non-empty Statement (use purge_policy: true to remove the policy)"),
        ({"Version": "2012-10-17", "Statement": []}, "non-empty Statement"),
        ({"Statement": [{"Effect": "Maybe"}]}, "policy: Statement[0]: Effect must be Allow or Deny: got 'Maybe'"),
        ({"Statement": ["nope"]}, "policy: Statement[0] must be a dictionary"),
        ({"Statement": [{"Effect": "Allow", "Sid": "x" * 21000}]}, "policy must be at most 20480 bytes as JSON"),
        ("{}", "policy must be a dictionary (a JSON object): got str"),
    ],
)
def test_invalid_policies(policy, fragment):
    assert fragment in problems_of(policy=policy)


def test_single_statement_object_is_valid():
    assert utils.policy_problems({"Statement": {"Effect": "Deny", "Action": "s3:*"}}) == []


def test_tag_problems():
    message = problems_of(tags={"aws:owner": "x"})
    assert "tags: tag key 'aws:owner' uses the prefix 'aws:'" in message
    message = problems_of(tags={f"k{index}": "v" for index in range(51)})
    assert "tags: a bucket has at most 50 tags: got 51" in message


def test_every_problem_is_listed():
    message = problems_of(
        name="192.168.5.4",
        encryption="aws:kms",
        lifecycle_rules=[rule(transitions=[{"days": 200, "storage_class": "GLACIER"}], expiration_days=100)],
        policy={},
    )
    assert message.startswith("Invalid parameters (4 problems, nothing was changed): ")
    assert "formatted as an IP address" in message
    assert "kms_key_id is required" in message
    assert "expiration_days (100) must be after the last transition (day 200)" in message
    assert "non-empty Statement" in message


def test_absent_only_checks_the_name():
    assert utils.validate_params(params(state="absent", encryption="aws:kms", policy={}), REGION) is None
    assert "3 to 63" in utils.validate_params(params(state="absent", name="ab"), REGION)


# --- desired state and requests ----------------------------------------------------


def test_lifecycle_rule_request_full():
    assert utils.lifecycle_rule_request(
        rule(
            transitions=[{"days": 90, "storage_class": "GLACIER"}, {"days": 180, "storage_class": "DEEP_ARCHIVE"}],
            expiration_days=2557,
            noncurrent_version_transitions=[{"days": 30, "storage_class": "GLACIER"}],
            noncurrent_version_expiration_days=120,
            abort_incomplete_multipart_upload_days=7,
        )
    ) == {
        "ID": "archive",
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}, {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}],
        "Expiration": {"Days": 2557},
        "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "GLACIER"}],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 120},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }


def test_lifecycle_rule_request_minimal_disabled():
    assert utils.lifecycle_rule_request({"id": "x", "prefix": None, "enabled": False, "expiration_days": 1}) == {
        "ID": "x",
        "Filter": {"Prefix": ""},
        "Status": "Disabled",
        "Expiration": {"Days": 1},
    }


def test_desired_encryption():
    assert utils.desired_encryption(params()) == {
        "sse_algorithm": "AES256",
        "kms_master_key_id": None,
        "bucket_key_enabled": False,
    }
    assert utils.desired_encryption(params(encryption="aws:kms", kms_key_id=KEY_ARN)) == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": KEY_ARN,
        "bucket_key_enabled": True,
    }
    assert utils.desired_encryption(params(encryption="aws:kms", kms_key_id=KEY_ARN, bucket_key_enabled=False))[
        "bucket_key_enabled"
    ] is False


def test_desired_state():
    desired = utils.desired_state(params(lifecycle_rules=[rule(expiration_days=3)], versioning=None, object_ownership=None))
    assert desired["versioning"] is False
    assert desired["object_ownership"] == "BucketOwnerEnforced"
    assert desired["lifecycle_rules"] == [
        {"ID": "archive", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 3}}
    ]
    assert utils.desired_state(params())["lifecycle_rules"] is None


def test_requests():
    assert utils.encryption_request({"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN, "bucket_key_enabled": True}) == {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
                "BucketKeyEnabled": True,
            }
        ]
    }
    assert utils.encryption_request(utils.desired_encryption(params())) == {
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
    }
    assert utils.public_access_block_request(utils.PUBLIC_ACCESS_BLOCK) == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert utils.tagging_request({"b": "2", "a": "1", "aws:cloudformation:stack-name": "s"}) == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]


# --- normalisation -------------------------------------------------------------------


def test_normalize_bucket_not_configured():
    assert utils.normalize_bucket(NAME, REGION, {}) == {
        "name": NAME,
        "arn": f"arn:aws:s3:::{NAME}",
        "region": REGION,
        "encryption": {"sse_algorithm": None, "kms_master_key_id": None, "bucket_key_enabled": False},
        "versioning": "Disabled",
        "object_ownership": None,
        "public_access_block": {
            "block_public_acls": False,
            "ignore_public_acls": False,
            "block_public_policy": False,
            "restrict_public_buckets": False,
        },
        "lifecycle_rules": [],
        "policy": None,
        "tags": {},
    }
    assert utils.predict_new_bucket(NAME, REGION) == utils.normalize_bucket(NAME, REGION, {})


def test_normalize_bucket_configured():
    raw = {
        "encryption": {
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}, "BucketKeyEnabled": True}
            ]
        },
        "public_access_block": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
        "ownership_controls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "versioning": {"Status": "Suspended"},
        "lifecycle_rules": [
            {"ID": "archive", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 2557}},
        ],
        "policy": POLICY,
        "tags": {"Environment": "dev"},
    }
    bucket = utils.normalize_bucket(NAME, REGION, raw)
    assert bucket["encryption"] == {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN, "bucket_key_enabled": True}
    assert bucket["public_access_block"] == utils.PUBLIC_ACCESS_BLOCK
    assert bucket["object_ownership"] == "BucketOwnerEnforced"
    assert bucket["versioning"] == "Suspended"
    assert bucket["lifecycle_rules"] == [
        {"id": "archive", "filter": {"prefix": ""}, "status": "Enabled", "expiration": {"days": 2557}}
    ]
    assert bucket["policy"] == POLICY
    assert bucket["policy"] is not POLICY
    assert bucket["tags"] == {"Environment": "dev"}


def test_normalize_encryption_without_bucket_key():
    config = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    assert utils.normalize_encryption(config) == {"sse_algorithm": "AES256", "kms_master_key_id": None, "bucket_key_enabled": False}


def test_parse_policy_document():
    assert utils.parse_policy_document(None) is None
    assert utils.parse_policy_document("") is None
    assert utils.parse_policy_document(json.dumps(POLICY)) == POLICY
    with pytest.raises(ValueError):
        utils.parse_policy_document("{not json")


def test_region_problem():
    assert utils.region_problem(NAME, REGION, REGION) is None
    assert utils.region_problem(NAME, REGION, None) is None
    assert utils.region_problem(NAME, "eu-west-1", REGION) == (
        f"bucket {NAME} is in the region eu-west-1, not in {REGION}: run the module with region: eu-west-1 to manage it"
    )


def test_foreign_bucket_message():
    assert utils.foreign_bucket_message(NAME).startswith(f"Bucket {NAME} already exists and belongs to another AWS account")


# --- lifecycle comparison --------------------------------------------------------------


def wanted_archive_rules():
    return utils.normalize_lifecycle_rules([utils.lifecycle_rule_request(archive_rule())])


def test_same_rules_do_not_differ():
    assert not utils.lifecycle_rules_differ(wanted_archive_rules(), wanted_archive_rules())


@pytest.mark.parametrize(
    "spelling",
    [
        {"prefix": ""},
        {"filter": {}},
        {},
        {"filter": {"prefix": None}},
    ],
)
def test_prefix_spellings_are_equal(spelling):
    current = wanted_archive_rules()
    del current[0]["filter"]
    current[0].update(spelling)
    assert not utils.lifecycle_rules_differ(current, wanted_archive_rules())


def test_rule_order_days_as_strings_and_transition_order_are_ignored():
    other = {"id": "a-first", "filter": {"prefix": "logs/"}, "status": "Disabled", "expiration": {"days": 30}}
    current = wanted_archive_rules() + [other]
    current[0]["transitions"].reverse()
    current[0]["expiration"]["days"] = "2557"
    current[0]["abort_incomplete_multipart_upload"]["days_after_initiation"] = "7"
    current[0]["expiration"]["expired_object_delete_marker"] = False
    wanted = [dict(other, expiration={"days": "30"})] + wanted_archive_rules()
    assert not utils.lifecycle_rules_differ(current, wanted)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(status="Disabled"),
        lambda r: r.update(filter={"prefix": "AWSLogs/"}),
        lambda r: r["expiration"].update(days=2556),
        lambda r: r["transitions"][0].update(storage_class="GLACIER_IR"),
        lambda r: r.pop("abort_incomplete_multipart_upload"),
        lambda r: r.update(filter={"and": {"prefix": "", "tags": [{"key": "a", "value": "b"}]}}),
        lambda r: r["expiration"].update(expired_object_delete_marker=True),
        lambda r: r.update(id="other"),
    ],
)
def test_rules_that_differ(change):
    current = wanted_archive_rules()
    change(current[0])
    assert utils.lifecycle_rules_differ(current, wanted_archive_rules())


def test_extra_rule_differs():
    extra = {"id": "z", "filter": {"prefix": ""}, "status": "Enabled", "expiration": {"days": 3}}
    assert utils.lifecycle_rules_differ(wanted_archive_rules() + [extra], wanted_archive_rules())


# --- policy comparison -----------------------------------------------------------------


def test_equivalent_policy_spellings():
    rewritten = deepcopy(POLICY)
    rewritten["Statement"][0]["Action"] = ["s3:PutObject"]
    rewritten["Statement"][0]["Resource"] = [POLICY["Statement"][0]["Resource"]]
    rewritten["Statement"][0]["Principal"] = {"Service": ["logdelivery.elasticloadbalancing.amazonaws.com"]}
    rewritten["Statement"][1]["Condition"] = {"Bool": {"aws:SecureTransport": ["false"]}}
    rewritten["Statement"][1] = dict(reversed(list(rewritten["Statement"][1].items())))
    assert not utils.policies_differ(POLICY, rewritten)


def test_single_statement_object_equals_a_list_of_one():
    statement = POLICY["Statement"][0]
    assert not utils.policies_differ({"Version": "2012-10-17", "Statement": [statement]}, {"Version": "2012-10-17", "Statement": statement})


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["Statement"].reverse(),
        lambda p: p["Statement"][1].update(Resource=list(reversed(p["Statement"][1]["Resource"]))),
        lambda p: p["Statement"][0].update(Action="s3:GetObject"),
        lambda p: p.update(Version="2008-10-17"),
        lambda p: p["Statement"].pop(),
    ],
)
def test_policies_that_differ(change):
    changed = deepcopy(POLICY)
    change(changed)
    assert utils.policies_differ(POLICY, changed)


def test_policy_against_none():
    assert utils.policies_differ(None, POLICY)
    assert utils.canonical_policy(None) is None


# --- versioning -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "current, wanted, change",
    [
        ("Disabled", True, "Enabled"),
        ("Suspended", True, "Enabled"),
        ("Enabled", True, None),
        ("Enabled", False, "Suspended"),
        ("Suspended", False, None),
        ("Disabled", False, None),
    ],
)
def test_versioning_change(current, wanted, change):
    assert utils.versioning_change(current, wanted) == change


# --- changes and prediction ----------------------------------------------------------


def desired(**overrides):
    return utils.desired_state(params(**overrides))


def test_new_bucket_gets_every_setting():
    changes = utils.compute_changes(
        utils.predict_new_bucket(NAME, REGION),
        desired(lifecycle_rules=[archive_rule()], policy=POLICY, tags={"Environment": "dev", "Cost": 42}),
    )
    assert changes == {
        "encryption": {"sse_algorithm": "AES256", "kms_master_key_id": None, "bucket_key_enabled": False},
        "public_access_block": utils.PUBLIC_ACCESS_BLOCK,
        "object_ownership": "BucketOwnerEnforced",
        "lifecycle_rules": [utils.lifecycle_rule_request(archive_rule())],
        "policy": POLICY,
        "tags": {"Environment": "dev", "Cost": "42"},
    }
    predicted = utils.apply_changes(utils.predict_new_bucket(NAME, REGION), changes)
    assert predicted["versioning"] == "Disabled"
    assert predicted["lifecycle_rules"] == wanted_archive_rules()
    assert predicted["tags"] == {"Environment": "dev", "Cost": "42"}
    assert predicted["policy"] == POLICY


def test_configured_bucket_has_no_changes():
    bucket = configured_bucket(lifecycle_rules=wanted_archive_rules(), policy=POLICY, tags={"Environment": "dev"})
    assert utils.compute_changes(bucket, desired(lifecycle_rules=[archive_rule()], policy=POLICY, tags={"Environment": "dev"})) == {}
    # Omitted options leave lifecycle, policy and tags alone
    assert utils.compute_changes(bucket, desired()) == {}


def test_kms_bucket_changes():
    bucket = configured_bucket(versioning="Enabled")
    changes = utils.compute_changes(bucket, desired(encryption="aws:kms", kms_key_id=KEY_ARN, versioning=True))
    assert changes == {"encryption": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN, "bucket_key_enabled": True}}
    changes = utils.compute_changes(bucket, desired())
    assert changes == {"versioning": "Suspended"}
    assert utils.apply_changes(bucket, changes)["versioning"] == "Suspended"


def test_public_access_block_and_ownership_are_restored():
    bucket = configured_bucket(
        public_access_block=dict(utils.PUBLIC_ACCESS_BLOCK, restrict_public_buckets=False), object_ownership="ObjectWriter"
    )
    assert utils.compute_changes(bucket, desired()) == {
        "public_access_block": utils.PUBLIC_ACCESS_BLOCK,
        "object_ownership": "BucketOwnerEnforced",
    }


def test_empty_rules_delete_the_lifecycle_configuration():
    bucket = configured_bucket(lifecycle_rules=wanted_archive_rules())
    changes = utils.compute_changes(bucket, desired(lifecycle_rules=[]))
    assert changes == {"lifecycle_rules": []}
    assert utils.apply_changes(bucket, changes)["lifecycle_rules"] == []
    assert utils.compute_changes(configured_bucket(), desired(lifecycle_rules=[])) == {}


def test_policy_purge():
    bucket = configured_bucket(policy=POLICY)
    assert utils.compute_changes(bucket, desired(purge_policy=True)) == {"policy": None}
    assert utils.apply_changes(bucket, {"policy": None})["policy"] is None
    assert utils.compute_changes(configured_bucket(), desired(purge_policy=True)) == {}
    # A policy given wins over purge_policy
    assert utils.compute_changes(bucket, desired(policy=POLICY, purge_policy=True)) == {}


def test_tags_changes():
    bucket = configured_bucket(tags={"Environment": "dev", "Owner": "payments"})
    assert utils.compute_changes(bucket, desired(tags={"Environment": "dev"})) == {"tags": {"Environment": "dev"}}
    assert utils.compute_changes(bucket, desired(tags={"Cost": 1}, purge_tags=False)) == {
        "tags": {"Environment": "dev", "Owner": "payments", "Cost": "1"}
    }
    assert utils.compute_changes(bucket, desired(tags={})) == {"tags": {}}
    assert utils.compute_changes(bucket, desired(tags={"Environment": "dev", "Owner": "payments"})) == {}


def test_apply_changes_does_not_modify_the_input():
    bucket = configured_bucket()
    utils.apply_changes(bucket, {"tags": {"a": "1"}, "versioning": "Enabled"})
    assert bucket == configured_bucket()


def test_describe_changes():
    assert utils.describe_changes(
        {
            "encryption": {"sse_algorithm": "aws:kms"},
            "public_access_block": {},
            "object_ownership": "BucketOwnerEnforced",
            "versioning": "Suspended",
            "lifecycle_rules": [],
            "policy": POLICY,
            "tags": {},
        }
    ) == [
        "default encryption set to aws:kms",
        "public access blocked",
        "object ownership set to BucketOwnerEnforced",
        "versioning suspended",
        "lifecycle configuration deleted",
        "policy set",
        "tags deleted",
    ]


def test_build_diff():
    bucket = configured_bucket(tags={"a": "1"})
    diff = utils.build_diff(None, bucket)
    assert diff["before"] == {}
    assert set(diff["after"]) == set(utils.DIFF_KEYS)
    assert diff["after"]["tags"] == {"a": "1"}
    assert utils.build_diff(bucket, None)["after"] == {}


# --- emptying -----------------------------------------------------------------------


def test_object_versions_to_delete():
    page = {
        "Versions": [{"Key": "a", "VersionId": "v1"}, {"Key": "b", "VersionId": "null"}],
        "DeleteMarkers": [{"Key": "a", "VersionId": "m1"}],
    }
    assert utils.object_versions_to_delete(page) == [
        {"Key": "a", "VersionId": "v1"},
        {"Key": "b", "VersionId": "null"},
        {"Key": "a", "VersionId": "m1"},
    ]
    assert utils.object_versions_to_delete({}) == []


def test_batches():
    assert utils.batches(list(range(2500))) == [list(range(1000)), list(range(1000, 2000)), list(range(2000, 2500))]
    assert utils.batches([]) == []
    assert utils.batches([1, 2, 3], 2) == [[1, 2], [3]]


def test_delete_errors_message():
    errors = [{"Key": f"k{index}", "VersionId": "v", "Code": "AccessDenied", "Message": "Access Denied"} for index in range(7)]
    message = utils.delete_errors_message(NAME, errors)
    assert message.startswith(f"Failed to delete 7 object version(s) from bucket {NAME}: k0 (v): AccessDenied: Access Denied; ")
    assert message.endswith(" and 2 more")
    assert utils.delete_errors_message(NAME, [{"Key": "k", "Code": "X", "Message": "m"}]).endswith("k (no version): X: m")
