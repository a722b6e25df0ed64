"""Unit tests of sampling-rule validation and storage (no HTTP)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from platform_emulator.xray_sampling import (
    OPERATIONS,
    REQUIRED_FIELDS,
    SamplingRuleError,
    SamplingRuleStore,
    SamplingRulesResponse,
    install,
    store_for,
    validate_new_rule,
)

ACCOUNT, REGION = "123456789012", "ap-southeast-1"


def make_rule(**overrides: Any) -> dict[str, Any]:
    """A valid SamplingRule, with *overrides* applied (``None`` removes a field)."""
    rule = {
        "RuleName": "payments-api",
        "ResourceARN": "*",
        "Priority": 100,
        "FixedRate": 0.1,
        "ReservoirSize": 5,
        "ServiceName": "payments-api",
        "ServiceType": "AWS::ECS::Container",
        "Host": "*",
        "HTTPMethod": "POST",
        "URLPath": "/payments/*",
        "Version": 1,
    }
    rule.update(overrides)
    return {k: v for k, v in rule.items() if v is not None}


@pytest.fixture
def clock() -> itertools.count[float]:
    return itertools.count(1000.0)


@pytest.fixture
def store(clock: itertools.count[float]) -> SamplingRuleStore:
    return SamplingRuleStore(ACCOUNT, REGION, clock=lambda: next(clock))


def rule_names(store: SamplingRuleStore) -> list[str]:
    records, _ = store.page()
    return [r["SamplingRule"]["RuleName"] for r in records]


# -- validation ------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"RuleName": "x" * 32},
        {"Priority": 1},
        {"Priority": 9999},
        {"FixedRate": 0},
        {"FixedRate": 1},
        {"FixedRate": 0.5},
        {"ReservoirSize": 0},
        {"Host": ""},
        {"Attributes": {"env": "prod"}},
    ],
)
def test_valid_rules_pass(overrides: dict[str, Any]) -> None:
    validate_new_rule(make_rule(**overrides))


@pytest.mark.parametrize(
    "overrides",
    [
        {"RuleName": ""},
        {"RuleName": "x" * 33},
        {"Priority": 0},
        {"Priority": 10000},
        {"Priority": 1.5},
        {"Priority": True},
        {"FixedRate": -0.01},
        {"FixedRate": 1.01},
        {"FixedRate": "0.5"},
        {"ReservoirSize": -1},
        {"Version": 2},
        {"Version": 0},
        {"Host": "h" * 65},
        {"HTTPMethod": "VERYLONGVERB"},
        {"URLPath": 5},
        {"Attributes": {f"k{i}": "v" for i in range(6)}},
        {"SamplingRateBoost": {"MaxRate": 2, "CooldownWindowMinutes": 1}},
    ],
)
def test_invalid_rules_are_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(SamplingRuleError) as error:
        validate_new_rule(make_rule(**overrides))
    assert (error.value.code, error.value.status) == ("InvalidRequestException", 400)


@pytest.mark.parametrize("field", ("RuleName", *REQUIRED_FIELDS))
def test_required_fields(field: str) -> None:
    with pytest.raises(SamplingRuleError, match=field):
        validate_new_rule(make_rule(**{field: None}))


def test_sampling_rule_must_be_an_object() -> None:
    with pytest.raises(SamplingRuleError):
        validate_new_rule(None)


# -- store -----------------------------------------------------------------


def test_default_rule_exists_as_aws_has_it(store: SamplingRuleStore) -> None:
    (record,), token = store.page()
    assert token is None
    assert record["CreatedAt"] == 0.0
    assert record["SamplingRule"] == {
        "RuleName": "Default",
        "RuleARN": f"arn:aws:xray:{REGION}:{ACCOUNT}:sampling-rule/Default",
        "ResourceARN": "*",
        "Priority": 10000,
        "FixedRate": 0.05,
        "ReservoirSize": 1,
        "ServiceName": "*",
        "ServiceType": "*",
        "Host": "*",
        "HTTPMethod": "*",
        "URLPath": "*",
        "Version": 1,
        "Attributes": {},
    }


def test_create_returns_the_record(store: SamplingRuleStore) -> None:
    record = store.create(make_rule())
    assert record["SamplingRule"] == {
        **make_rule(),
        "RuleARN": f"arn:aws:xray:{REGION}:{ACCOUNT}:sampling-rule/payments-api",
        "Attributes": {},
    }
    assert record["CreatedAt"] == record["ModifiedAt"] == 1001.0
    assert rule_names(store) == ["payments-api", "Default"]


def test_returned_records_are_copies(store: SamplingRuleStore) -> None:
    store.create(make_rule())["SamplingRule"]["Priority"] = 1
    records, _ = store.page()
    records[0]["SamplingRule"]["FixedRate"] = 1
    assert store.page()[0][0]["SamplingRule"]["Priority"] == 100
    assert store.page()[0][0]["SamplingRule"]["FixedRate"] == 0.1


@pytest.mark.parametrize("name", ["payments-api", "Default"])
def test_names_are_unique(store: SamplingRuleStore, name: str) -> None:
    store.create(make_rule())
    with pytest.raises(SamplingRuleError, match="already exists"):
        store.create(make_rule(RuleName=name))


def test_rules_are_listed_by_priority_then_name(store: SamplingRuleStore) -> None:
    for name, priority in [("c", 5), ("b", 1), ("a", 5)]:
        store.create(make_rule(RuleName=name, Priority=priority))
    assert rule_names(store) == ["b", "a", "c", "Default"]


def test_pagination(clock: itertools.count[float]) -> None:
    store = SamplingRuleStore(ACCOUNT, REGION, clock=lambda: next(clock), page_size=2)
    for i in range(5):
        store.create(make_rule(RuleName=f"r{i}", Priority=i + 1))
    pages, token = [], None
    while True:
        records, token = store.page(token)
        pages.append([r["SamplingRule"]["RuleName"] for r in records])
        if token is None:
            break
    assert pages == [["r0", "r1"], ["r2", "r3"], ["r4", "Default"]]
    with pytest.raises(SamplingRuleError, match="NextToken"):
        store.page("not-a-token")


def test_update_merges_given_fields_and_bumps_modified_at(store: SamplingRuleStore) -> None:
    created = store.create(make_rule())
    updated = store.update({"RuleName": "payments-api", "FixedRate": 0.5, "Host": None})
    assert updated["SamplingRule"] == {**created["SamplingRule"], "FixedRate": 0.5}
    assert updated["CreatedAt"] == created["CreatedAt"]
    assert updated["ModifiedAt"] > created["ModifiedAt"]


def test_update_by_arn(store: SamplingRuleStore) -> None:
    arn = store.create(make_rule())["SamplingRule"]["RuleARN"]
    assert store.update({"RuleARN": arn, "Priority": 7})["SamplingRule"]["Priority"] == 7


@pytest.mark.parametrize(
    "update",
    [
        {"RuleName": "payments-api", "Priority": 0},
        {"RuleName": "payments-api", "FixedRate": 1.5},
        {"RuleName": "payments-api", "ReservoirSize": -1},
        {"RuleName": "nope", "FixedRate": 0.5},
        {"RuleARN": "arn:aws:xray:ap-southeast-1:123456789012:sampling-rule/nope"},
        {
            "RuleName": "Default",
            "RuleARN": "arn:aws:xray:ap-southeast-1:123456789012:sampling-rule/payments-api",
        },
        {"FixedRate": 0.5},
        {"RuleName": "Default", "Priority": 5},
        {"RuleName": "Default", "URLPath": "/x"},
    ],
)
def test_invalid_updates_are_rejected(store: SamplingRuleStore, update: dict[str, Any]) -> None:
    store.create(make_rule())
    before = store.page()
    with pytest.raises(SamplingRuleError):
        store.update(update)
    assert store.page() == before


def test_default_rule_accepts_rate_and_reservoir(store: SamplingRuleStore) -> None:
    record = store.update(
        {"RuleName": "Default", "FixedRate": 0.2, "ReservoirSize": 3, "Host": "*"}
    )
    assert (record["SamplingRule"]["FixedRate"], record["SamplingRule"]["ReservoirSize"]) == (
        0.2,
        3,
    )


def test_delete_by_name_or_arn(store: SamplingRuleStore) -> None:
    store.create(make_rule(RuleName="a"))
    arn = store.create(make_rule(RuleName="b"))["SamplingRule"]["RuleARN"]
    assert store.delete(rule_name="a")["SamplingRule"]["RuleName"] == "a"
    assert store.delete(rule_arn=arn)["SamplingRule"]["RuleName"] == "b"
    assert rule_names(store) == ["Default"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("Default", "cannot be deleted"), ("nope", "does not exist"), (None, "required")],
)
def test_invalid_deletes_are_rejected(
    store: SamplingRuleStore, name: str | None, message: str
) -> None:
    with pytest.raises(SamplingRuleError, match=message):
        store.delete(rule_name=name)
    assert rule_names(store) == ["Default"]


def test_tags(store: SamplingRuleStore) -> None:
    arn = store.create(make_rule(), tags=[{"Key": "team", "Value": "payments"}])["SamplingRule"][
        "RuleARN"
    ]
    store.tag(arn, [{"Key": "env", "Value": "dev"}])
    store.untag(arn, ["team"])
    assert store.list_tags(arn) == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(SamplingRuleError) as error:
        store.list_tags(arn.replace("payments-api", "nope"))
    assert (error.value.code, error.value.status) == ("ResourceNotFoundException", 404)
    with pytest.raises(SamplingRuleError):
        store.create(make_rule(RuleName="t"), tags=[{"Key": "", "Value": "x"}])


# -- moto integration ------------------------------------------------------


def test_store_is_per_backend_and_cleared_by_reset() -> None:
    from moto.xray import xray_backends

    backend = xray_backends[ACCOUNT][REGION]
    store_for(backend).create(make_rule())
    assert store_for(backend) is store_for(backend)
    assert rule_names(store_for(xray_backends[ACCOUNT]["eu-west-1"])) == ["Default"]
    assert rule_names(store_for(backend)) == ["payments-api", "Default"]
    backend.reset()
    assert rule_names(store_for(backend)) == ["Default"]


def test_install_routes_the_operations() -> None:
    from moto.xray import urls

    install()
    install()
    for operation in OPERATIONS:
        assert urls.url_paths[f"{{0}}/{operation}$"] == SamplingRulesResponse.dispatch
