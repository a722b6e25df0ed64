# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of the ecr_repository module (plain dicts, no AWS)."""

import json

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import ecr_repository as ecr

REGION = "eu-west-1"
ACCOUNT = "123456789012"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OTHER_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab"
ALIAS = "alias/payments-ecr"
ALIAS_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:{ALIAS}"
PLACEHOLDER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/pending-check-mode"
NAME = "payments/api"
ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{NAME}"

UNTAGGED_RULE = {
    "rulePriority": 1,
    "description": "Expire untagged images after one day",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
    "action": {"type": "expire"},
}
KEEP_30_RULE = {
    "rulePriority": 2,
    "description": "Keep the last 30 images",
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
    "action": {"type": "expire"},
}
POLICY = {"rules": [UNTAGGED_RULE, KEEP_30_RULE]}


def params(**overrides):
    options = {
        "name": NAME,
        "state": "present",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "kms_key": None,
        "lifecycle_policy": None,
        "purge_lifecycle_policy": False,
        "tags": None,
        "purge_tags": True,
        "force_delete": False,
    }
    options.update(overrides)
    return options


def repository(**overrides):
    repo = {
        "repository_name": NAME,
        "repository_arn": ARN,
        "repository_uri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{NAME}",
        "registry_id": ACCOUNT,
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_configuration": {"encryption_type": "KMS", "kms_key": KEY_ARN},
        "lifecycle_policy": POLICY,
        "tags": {"Env": "test", "Owner": "payments"},
    }
    repo.update(overrides)
    return repo


# --- validation -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["ab", "payments/api", "a.b_c-d/e1", "x" * 256, "base/payments/api-v2"])
def test_valid_names(name):
    assert ecr.name_problems(name) == []


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "name must not be empty"),
        ("a", "name must be 2 to 256 characters long: got 1 characters"),
        ("x" * 257, "name must be 2 to 256 characters long: got 257 characters"),
        ("Payments", "name may only contain lowercase letters"),
        ("payments//api", "name may only contain"),
        ("-payments", "name may only contain"),
        ("payments/", "name may only contain"),
        ("pay__ments", "name may only contain"),
        ("pay ments", "name may only contain"),
    ],
)
def test_invalid_names(name, message):
    problems = ecr.name_problems(name)
    assert len(problems) == 1
    assert problems[0].startswith(message)


@pytest.mark.parametrize("key", [KEY_ID, KEY_ARN, ALIAS, ALIAS_ARN, "mrk-" + "a" * 32])
def test_valid_kms_keys(key):
    assert ecr.kms_key_problems(key, "KMS", False) == []


def test_kms_key_only_with_kms():
    assert ecr.kms_key_problems(KEY_ARN, "AES256", False) == [
        "kms_key can only be used with encryption_type=KMS: got encryption_type=AES256"
    ]


def test_kms_key_invalid():
    assert ecr.kms_key_problems("my-key", "KMS", False) == [
        "kms_key must be a KMS key ID, key ARN, alias name (alias/NAME) or alias ARN: got 'my-key'"
    ]


def test_kms_key_placeholder_only_in_check_mode():
    assert ecr.kms_key_problems(PLACEHOLDER_KEY, "KMS", True) == []
    problems = ecr.kms_key_problems(PLACEHOLDER_KEY, "KMS", False)
    assert len(problems) == 1
    assert "placeholder" in problems[0]


def test_is_placeholder_arn():
    assert ecr.is_placeholder_arn(PLACEHOLDER_KEY)
    assert ecr.is_placeholder_arn("arn:aws:kms:eu-west-1:123456789012:alias/pending-check-mode")
    assert not ecr.is_placeholder_arn(KEY_ARN)
    assert not ecr.is_placeholder_arn(None)


def test_lifecycle_policy_valid():
    assert ecr.lifecycle_policy_problems(POLICY) == []
    assert ecr.lifecycle_policy_problems(None) == []


def test_lifecycle_policy_tagged_and_transition():
    policy = {
        "rules": [
            {
                "rulePriority": 5,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["release-*"],
                    "countType": "sinceImagePulled",
                    "countUnit": "days",
                    "countNumber": 90,
                },
                "action": {"type": "transition", "targetStorageClass": "archive"},
            }
        ]
    }
    assert ecr.lifecycle_policy_problems(policy) == []


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("text", "lifecycle_policy must be a dictionary (the lifecycle policy document)"),
        ({}, "lifecycle_policy.rules must be a non-empty list of rules"),
        ({"rules": [], "version": 1}, "lifecycle_policy has unknown keys version (allowed: rules)"),
        ({"rules": ["x"]}, "lifecycle_policy.rules[0] must be a dictionary"),
        (
            {"rules": [dict(UNTAGGED_RULE, rulePriority=0)]},
            "lifecycle_policy.rules[0].rulePriority must be a positive integer: got 0",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, rulePriority=True)]},
            "lifecycle_policy.rules[0].rulePriority must be a positive integer: got True",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, priority=1)]},
            "lifecycle_policy.rules[0] has unknown keys priority",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, selection=None)]},
            "lifecycle_policy.rules[0].selection is required and must be a dictionary",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, action={"type": "delete"})]},
            "lifecycle_policy.rules[0].action.type must be one of expire, transition: got 'delete'",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, action={"type": "transition"})]},
            "lifecycle_policy.rules[0].action.targetStorageClass is required with type=transition",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, selection=dict(UNTAGGED_RULE["selection"], tagStatus="all"))]},
            "lifecycle_policy.rules[0].selection.tagStatus must be one of tagged, untagged, any: got 'all'",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, selection=dict(UNTAGGED_RULE["selection"], tagStatus="tagged"))]},
            "lifecycle_policy.rules[0].selection: tagStatus=tagged needs tagPrefixList or tagPatternList",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, selection=dict(UNTAGGED_RULE["selection"], tagPrefixList=["v"]))]},
            "lifecycle_policy.rules[0].selection: tagPrefixList and tagPatternList are only allowed with tagStatus=tagged",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, selection=dict(UNTAGGED_RULE["selection"], countNumber="1"))]},
            "lifecycle_policy.rules[0].selection.countNumber must be a positive integer: got '1'",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, selection=dict(UNTAGGED_RULE["selection"], countUnit="hours"))]},
            "lifecycle_policy.rules[0].selection.countUnit must be 'days' with countType=sinceImagePushed: got 'hours'",
        ),
        (
            {"rules": [dict(KEEP_30_RULE, selection=dict(KEEP_30_RULE["selection"], countUnit="days"))]},
            "lifecycle_policy.rules[0].selection.countUnit is not allowed with countType=imageCountMoreThan",
        ),
        (
            {"rules": [dict(KEEP_30_RULE, selection=dict(KEEP_30_RULE["selection"], countType="count"))]},
            "lifecycle_policy.rules[0].selection.countType must be one of imageCountMoreThan",
        ),
        (
            {"rules": [UNTAGGED_RULE, dict(KEEP_30_RULE, rulePriority=1)]},
            "lifecycle_policy: rulePriority values must be unique: 1 repeated",
        ),
        (
            {"rules": [dict(UNTAGGED_RULE, rulePriority=3), KEEP_30_RULE]},
            "lifecycle_policy: a rule with tagStatus=any must have the highest rulePriority",
        ),
    ],
)
def test_lifecycle_policy_problems(policy, expected):
    problems = ecr.lifecycle_policy_problems(policy)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_validate_params_ok():
    assert ecr.validate_params(params()) is None
    assert ecr.validate_params(params(encryption_type="KMS", kms_key=ALIAS, lifecycle_policy=POLICY)) is None
    assert ecr.validate_params(params(state="absent", image_tag_mutability=None)) is None


def test_validate_params_lists_every_problem():
    message = ecr.validate_params(
        params(
            name="Payments",
            kms_key=KEY_ARN,
            lifecycle_policy={"rules": []},
            tags={"aws:owner": "x"},
        )
    )
    assert message.startswith("Invalid parameters (4 problems, nothing was changed): name may only contain")
    assert "kms_key can only be used with encryption_type=KMS" in message
    assert "lifecycle_policy.rules must be a non-empty list" in message
    assert "tags: tag key 'aws:owner' uses the prefix 'aws:'" in message


def test_validate_params_purge_with_policy():
    message = ecr.validate_params(params(lifecycle_policy=POLICY, purge_lifecycle_policy=True))
    assert "purge_lifecycle_policy=true only applies when lifecycle_policy is omitted" in message


def test_validate_params_placeholder_depends_on_check_mode():
    options = params(encryption_type="KMS", kms_key=PLACEHOLDER_KEY)
    assert ecr.validate_params(options, check_mode=True) is None
    assert "placeholder" in ecr.validate_params(options, check_mode=False)


def test_validate_params_absent_only_checks_the_name():
    assert ecr.validate_params(params(state="absent", kms_key="bad", lifecycle_policy="bad")) is None
    assert ecr.validate_params(params(state="absent", name="A")).startswith("Invalid parameters (1 problem,")


# --- normalisation ---------------------------------------------------------------


def raw_repository(**extra):
    raw = {
        "repositoryArn": ARN,
        "registryId": ACCOUNT,
        "repositoryName": NAME,
        "repositoryUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{NAME}",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY_ARN},
    }
    raw.update(extra)
    return raw


def test_normalize_repository():
    normalized = ecr.normalize_repository(raw_repository(), json.dumps(POLICY), {"Env": "test", "Owner": "payments"})
    assert normalized == repository()


def test_normalize_repository_defaults():
    raw = raw_repository(encryptionConfiguration={"encryptionType": "AES256"})
    del raw["imageScanningConfiguration"]
    normalized = ecr.normalize_repository(raw)
    assert normalized["scan_on_push"] is False
    assert normalized["encryption_configuration"] == {"encryption_type": "AES256", "kms_key": None}
    assert normalized["lifecycle_policy"] is None
    assert normalized["tags"] == {}
    assert ecr.normalize_repository(None) is None


def test_predict_new_repository():
    predicted = ecr.predict_new_repository(
        params(encryption_type="KMS", kms_key=ALIAS, tags={"Cost": 42, "Env": "test"}, lifecycle_policy=POLICY)
    )
    assert predicted == {
        "repository_name": NAME,
        "repository_arn": None,
        "repository_uri": None,
        "registry_id": None,
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_configuration": {"encryption_type": "KMS", "kms_key": ALIAS},
        "lifecycle_policy": None,
        "tags": {"Cost": "42", "Env": "test"},
    }


def test_create_request():
    assert ecr.create_request(params(encryption_type="KMS", kms_key=KEY_ARN, scan_on_push=False)) == {
        "repositoryName": NAME,
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": False},
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY_ARN},
    }
    assert ecr.create_request(params(encryption_type="KMS"))["encryptionConfiguration"] == {"encryptionType": "KMS"}
    assert ecr.create_request(params())["encryptionConfiguration"] == {"encryptionType": "AES256"}


def test_parse_lifecycle_policy_text():
    assert ecr.parse_lifecycle_policy_text(None) is None
    assert ecr.parse_lifecycle_policy_text("") is None
    assert ecr.parse_lifecycle_policy_text(json.dumps(POLICY)) == POLICY
    with pytest.raises(ValueError):
        ecr.parse_lifecycle_policy_text("{not json")


def test_lifecycle_policy_text_is_compact_and_stable():
    text = ecr.lifecycle_policy_text(POLICY)
    assert json.loads(text) == POLICY
    assert text == ecr.lifecycle_policy_text(json.loads(text))
    assert " " not in text.replace("Expire untagged images after one day", "").replace("Keep the last 30 images", "")


# --- KMS keys and encryption --------------------------------------------------------


@pytest.mark.parametrize(
    "current, desired, expected",
    [
        (KEY_ARN, KEY_ARN, True),
        (KEY_ARN, KEY_ID, True),
        (KEY_ARN, KEY_ID.upper(), True),
        (KEY_ID, KEY_ARN, True),
        (ALIAS_ARN, ALIAS, True),
        (KEY_ARN, OTHER_KEY_ARN, False),
        (KEY_ARN, KEY_ARN.replace(REGION, "us-east-1"), False),
        (ALIAS, "alias/other", False),
        (KEY_ARN, ALIAS, None),
        (ALIAS_ARN, KEY_ID, None),
    ],
)
def test_kms_keys_match(current, desired, expected):
    assert ecr.kms_keys_match(current, desired) is expected


def test_encryption_error_none():
    kms_params = params(encryption_type="KMS", kms_key=KEY_ID)
    assert ecr.encryption_error(None, kms_params) is None
    assert ecr.encryption_error(repository(), kms_params) is None
    # An omitted key accepts any key
    assert ecr.encryption_error(repository(), params(encryption_type="KMS")) is None
    aes = repository(encryption_configuration={"encryption_type": "AES256", "kms_key": None})
    assert ecr.encryption_error(aes, params()) is None


def test_encryption_error_type():
    message = ecr.encryption_error(repository(), params())
    assert message.startswith(
        f"encryption_type of the existing repository {NAME} is KMS (kms_key {KEY_ARN}) and cannot be changed to AES256:"
    )
    assert "delete and recreate it" in message
    aes = repository(encryption_configuration={"encryption_type": "AES256", "kms_key": None})
    assert ecr.encryption_error(aes, params(encryption_type="KMS")).startswith(
        f"encryption_type of the existing repository {NAME} is AES256 and cannot be changed to KMS:"
    )


def test_encryption_error_key():
    message = ecr.encryption_error(repository(), params(encryption_type="KMS", kms_key=OTHER_KEY_ARN))
    assert message.startswith(
        f"kms_key of the existing repository {NAME} is {KEY_ARN} and cannot be changed to {OTHER_KEY_ARN}:"
    )


def test_encryption_error_alias_needs_resolution():
    options = params(encryption_type="KMS", kms_key=ALIAS)
    assert ecr.kms_key_needs_resolving(repository(), options, False) is True
    # Unresolved, the alias cannot be shown to be the key
    assert ecr.encryption_error(repository(), options) is not None
    assert ecr.encryption_error(repository(), options, resolved_keys={KEY_ARN: KEY_ARN, ALIAS: KEY_ARN}) is None
    assert ecr.encryption_error(repository(), options, resolved_keys={KEY_ARN: KEY_ARN, ALIAS: OTHER_KEY_ARN})


def test_kms_key_needs_resolving_not_needed():
    assert not ecr.kms_key_needs_resolving(repository(), params(encryption_type="KMS", kms_key=KEY_ID), False)
    assert not ecr.kms_key_needs_resolving(repository(), params(encryption_type="KMS"), False)
    assert not ecr.kms_key_needs_resolving(repository(), params(), False)
    assert not ecr.kms_key_needs_resolving(repository(), params(encryption_type="KMS", kms_key=PLACEHOLDER_KEY), True)


def test_encryption_error_placeholder_in_check_mode():
    options = params(encryption_type="KMS", kms_key=PLACEHOLDER_KEY)
    assert ecr.encryption_error(repository(), options, check_mode=True) is None
    assert ecr.encryption_error(repository(), options, check_mode=False) is not None


# --- changes -------------------------------------------------------------------------


def test_simple_changes():
    assert ecr.image_tag_mutability_change(repository(), "IMMUTABLE") is None
    assert ecr.image_tag_mutability_change(repository(), "MUTABLE") == "MUTABLE"
    assert ecr.image_tag_mutability_change(repository(), None) is None
    assert ecr.scan_on_push_change(repository(), True) is None
    assert ecr.scan_on_push_change(repository(), False) is False
    assert ecr.scan_on_push_change(repository(scan_on_push=False), True) is True
    assert ecr.scan_on_push_change(repository(), None) is None


def test_lifecycle_policy_change():
    reordered = {"rules": [json.loads(json.dumps(KEEP_30_RULE)), json.loads(json.dumps(UNTAGGED_RULE))]}
    assert ecr.lifecycle_policy_change(repository(), reordered, False) is None
    assert ecr.lifecycle_policy_change(repository(), None, False) is None
    assert ecr.lifecycle_policy_change(repository(), None, True) == ("delete", None)
    assert ecr.lifecycle_policy_change(repository(lifecycle_policy=None), None, True) is None
    new_policy = {"rules": [UNTAGGED_RULE]}
    assert ecr.lifecycle_policy_change(repository(), new_policy, False) == ("put", new_policy)
    assert ecr.lifecycle_policy_change(repository(lifecycle_policy=None), POLICY, False) == ("put", POLICY)


def test_tags_change():
    assert ecr.tags_change(repository(), None, True) == ({}, [])
    assert ecr.tags_change(repository(), {"Env": "test", "Owner": "payments"}, True) == ({}, [])
    assert ecr.tags_change(repository(), {"Env": "prod", "Cost": 42}, True) == (
        {"Env": "prod", "Cost": "42"},
        ["Owner"],
    )
    assert ecr.tags_change(repository(), {"Cost": 42}, False) == ({"Cost": "42"}, [])


def test_compute_and_apply_changes():
    options = params(
        image_tag_mutability="MUTABLE",
        scan_on_push=False,
        lifecycle_policy={"rules": [UNTAGGED_RULE]},
        tags={"Env": "prod"},
    )
    changes = ecr.compute_changes(repository(), options)
    assert changes == {
        "image_tag_mutability": "MUTABLE",
        "scan_on_push": False,
        "lifecycle_policy": ("put", {"rules": [UNTAGGED_RULE]}),
        "tags_to_set": {"Env": "prod"},
        "tag_keys_to_unset": ["Owner"],
    }
    predicted = ecr.apply_changes(repository(), changes)
    assert predicted == repository(
        image_tag_mutability="MUTABLE",
        scan_on_push=False,
        lifecycle_policy={"rules": [UNTAGGED_RULE]},
        tags={"Env": "prod"},
    )
    # The input is not modified
    assert repository()["tags"] == {"Env": "test", "Owner": "payments"}


def test_compute_changes_none():
    options = params(
        encryption_type="KMS", kms_key=KEY_ARN, lifecycle_policy=POLICY, tags={"Env": "test", "Owner": "payments"}
    )
    assert ecr.compute_changes(repository(), options) == {}


def test_apply_changes_delete_policy():
    assert ecr.apply_changes(repository(), {"lifecycle_policy": ("delete", None)})["lifecycle_policy"] is None


def test_diff():
    diff = ecr.build_diff(None, repository())
    assert diff["before"] == {}
    assert diff["after"] == {
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_configuration": {"encryption_type": "KMS", "kms_key": KEY_ARN},
        "lifecycle_policy": POLICY,
        "tags": {"Env": "test", "Owner": "payments"},
    }
    assert ecr.build_diff(repository(), None)["after"] == {}
