"""X-Ray sampling rules for moto's ``xray`` service (moto 5.2.5 has none).

X-Ray is a REST-JSON service whose request path *is* the operation name
(``POST /CreateSamplingRule``).  moto's ``XRayResponse`` turns that path into a
method name (``create_sampling_rule``), so adding an operation means adding a
url path to ``moto.xray.urls.url_paths`` and a method on a response class.
:func:`install` does exactly that; it must run before moto builds its xray app.

Validation and storage live in plain code (:func:`validate_new_rule`,
:func:`validate_fields`, :class:`SamplingRuleStore`) so they can be tested
without HTTP.  One store hangs off each moto ``XRayBackend`` (one per account
and region), so ``/moto-api/reset`` - which re-initialises every backend -
clears the rules as well.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from moto.xray.responses import XRayResponse

DEFAULT_RULE_NAME = "Default"
PAGE_SIZE = 100
REQUIRED_FIELDS = (
    "ResourceARN",
    "Priority",
    "FixedRate",
    "ReservoirSize",
    "ServiceName",
    "ServiceType",
    "Host",
    "HTTPMethod",
    "URLPath",
    "Version",
)
# Maximum lengths of the string fields, from the botocore xray service model.
MAX_LENGTHS = {
    "RuleName": 32,
    "ResourceARN": 500,
    "ServiceName": 64,
    "ServiceType": 64,
    "Host": 64,
    "HTTPMethod": 10,
    "URLPath": 128,
}
RULE_FIELDS = ("RuleName", *REQUIRED_FIELDS, "Attributes", "SamplingRateBoost")
UPDATABLE_FIELDS = tuple(f for f in RULE_FIELDS if f not in ("RuleName", "Version"))
DEFAULT_RULE_UPDATABLE = ("FixedRate", "ReservoirSize")
OPERATIONS = (
    "CreateSamplingRule",
    "GetSamplingRules",
    "UpdateSamplingRule",
    "DeleteSamplingRule",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
)


class SamplingRuleError(Exception):
    """An AWS error to return to the client (``InvalidRequestException`` by default)."""

    def __init__(
        self, message: str, code: str = "InvalidRequestException", status: int = 400
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _invalid(message: str) -> SamplingRuleError:
    """Shorthand for the usual ``InvalidRequestException``."""
    return SamplingRuleError(message)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    """True for ints, but not for bools (which are ints in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_range(name: str, value: Any, low: float, high: float | None, integer: bool) -> None:
    """Raise unless *value* is a number (an int if *integer*) in ``[low, high]``."""
    is_number = _is_int(value) or (not integer and isinstance(value, float))
    if not is_number or value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        kind = "an integer" if integer else "a number"
        raise _invalid(f"{name} must be {kind} {bounds}, got {value!r}")


def _check_string(name: str, value: Any, min_len: int, max_len: int) -> None:
    """Raise unless *value* is a string of *min_len* to *max_len* characters."""
    if not isinstance(value, str) or not min_len <= len(value) <= max_len:
        raise _invalid(
            f"{name} must be a string of {min_len} to {max_len} characters, got {value!r}"
        )


def _check_attributes(value: Any) -> None:
    """Attributes: at most 5 entries, keys and values 1-32 characters."""
    if not isinstance(value, dict) or len(value) > 5:
        raise _invalid("Attributes must be a map of at most 5 entries")
    for key, item in value.items():
        _check_string("Attributes key", key, 1, 32)
        _check_string("Attributes value", item, 1, 32)


def _check_boost(value: Any) -> None:
    """SamplingRateBoost: MaxRate 0-1 and CooldownWindowMinutes >= 0, both required."""
    if not isinstance(value, dict):
        raise _invalid("SamplingRateBoost must be an object")
    _check_range("SamplingRateBoost.MaxRate", value.get("MaxRate"), 0, 1, False)
    _check_range(
        "SamplingRateBoost.CooldownWindowMinutes",
        value.get("CooldownWindowMinutes"),
        0,
        None,
        True,
    )


def validate_fields(fields: dict[str, Any]) -> None:
    """Validate every known sampling-rule field present in *fields*.

    Absent fields are not checked, so this serves both create (after the
    required-field check) and update (which only carries the changed fields).
    """
    for name, max_len in MAX_LENGTHS.items():
        if name in fields:
            _check_string(name, fields[name], 1 if name == "RuleName" else 0, max_len)
    if "Priority" in fields:
        _check_range("Priority", fields["Priority"], 1, 9999, integer=True)
    if "FixedRate" in fields:
        _check_range("FixedRate", fields["FixedRate"], 0, 1, integer=False)
    if "ReservoirSize" in fields:
        _check_range("ReservoirSize", fields["ReservoirSize"], 0, None, integer=True)
    if "Version" in fields and not (_is_int(fields["Version"]) and fields["Version"] == 1):
        raise _invalid(f"Version must be 1, got {fields['Version']!r}")
    if "Attributes" in fields:
        _check_attributes(fields["Attributes"])
    if "SamplingRateBoost" in fields:
        _check_boost(fields["SamplingRateBoost"])


def validate_new_rule(rule: Any) -> None:
    """Validate the ``SamplingRule`` of a CreateSamplingRule request."""
    if not isinstance(rule, dict):
        raise _invalid("SamplingRule is required")
    missing = [f for f in ("RuleName", *REQUIRED_FIELDS) if rule.get(f) is None]
    if missing:
        raise _invalid(f"SamplingRule is missing required field(s): {', '.join(missing)}")
    validate_fields(rule)


def tags_to_dict(tags: Any) -> dict[str, str]:
    """Turn an AWS ``[{"Key": k, "Value": v}]`` tag list into a dict, validating it."""
    if tags is None:
        return {}
    if not isinstance(tags, list) or len(tags) > 200:
        raise _invalid("Tags must be a list of at most 200 tags")
    result = {}
    for tag in tags:
        if not isinstance(tag, dict):
            raise _invalid("Each tag must be an object with Key and Value")
        _check_string("Tag Key", tag.get("Key"), 1, 128)
        _check_string("Tag Value", tag.get("Value"), 0, 256)
        result[tag["Key"]] = tag["Value"]
    return result


def default_rule() -> dict[str, Any]:
    """The ``Default`` rule every account and region has (as AWS has it)."""
    return {
        "RuleName": DEFAULT_RULE_NAME,
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


# --------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------


def _encode_token(offset: int) -> str:
    """An opaque NextToken for the given list offset."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_token(token: str) -> int:
    """Inverse of :func:`_encode_token`; ``InvalidRequestException`` if malformed."""
    try:
        prefix, _, number = base64.urlsafe_b64decode(token).decode().partition(":")
        if prefix != "offset" or not number.isdigit():
            raise ValueError(token)
        return int(number)
    except (TypeError, ValueError, binascii.Error, UnicodeDecodeError):
        raise _invalid("Invalid NextToken") from None


class SamplingRuleStore:
    """The sampling rules (and their tags) of one account and region. Thread-safe."""

    def __init__(
        self,
        account_id: str,
        region: str,
        clock: Callable[[], float] = time.time,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self._clock = clock
        self._page_size = page_size
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {}
        self._tags: dict[str, dict[str, str]] = {}
        # AWS reports the Default rule as created at the epoch (CreatedAt 0).
        self._insert(default_rule(), tags={}, created_at=0.0)

    def rule_arn(self, name: str) -> str:
        """The ARN of the rule called *name*."""
        return f"arn:aws:xray:{self.region}:{self.account_id}:sampling-rule/{name}"

    def create(self, rule: Any, tags: Any = None) -> dict[str, Any]:
        """CreateSamplingRule: validate and store *rule*, return its record."""
        validate_new_rule(rule)
        tag_dict = tags_to_dict(tags)
        with self._lock:
            if rule["RuleName"] in self._records:
                raise _invalid(f"A sampling rule named {rule['RuleName']} already exists")
            fields = {k: copy.deepcopy(rule[k]) for k in RULE_FIELDS if k in rule}
            return copy.deepcopy(self._insert(fields, tag_dict))

    def page(self, next_token: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """GetSamplingRules: one page of records (by priority, then name) and the next token."""
        start = _decode_token(next_token) if next_token else 0
        end = start + self._page_size
        with self._lock:
            records = sorted(
                self._records.values(),
                key=lambda r: (r["SamplingRule"]["Priority"], r["SamplingRule"]["RuleName"]),
            )
            page = copy.deepcopy(records[start:end])
        return page, _encode_token(end) if end < len(records) else None

    def update(self, changes: Any) -> dict[str, Any]:
        """UpdateSamplingRule: merge the given fields into the rule, bump ModifiedAt."""
        if not isinstance(changes, dict):
            raise _invalid("SamplingRuleUpdate is required")
        given = {k: changes[k] for k in UPDATABLE_FIELDS if changes.get(k) is not None}
        validate_fields(given)
        with self._lock:
            record = self._records[self._find(changes.get("RuleName"), changes.get("RuleARN"))]
            rule = record["SamplingRule"]
            if rule["RuleName"] == DEFAULT_RULE_NAME:
                self._check_default_update(rule, given)
            rule.update(copy.deepcopy(given))
            record["ModifiedAt"] = self._clock()
            return copy.deepcopy(record)

    def delete(self, rule_name: str | None = None, rule_arn: str | None = None) -> dict[str, Any]:
        """DeleteSamplingRule: remove the rule and return its last record."""
        with self._lock:
            name = self._find(rule_name, rule_arn)
            if name == DEFAULT_RULE_NAME:
                raise _invalid("The Default sampling rule cannot be deleted")
            self._tags.pop(name, None)
            return self._records.pop(name)

    def list_tags(self, resource_arn: Any) -> list[dict[str, str]]:
        """ListTagsForResource on a sampling-rule ARN."""
        with self._lock:
            tags = self._tags[self._name_for_resource(resource_arn)]
            return [{"Key": k, "Value": v} for k, v in tags.items()]

    def tag(self, resource_arn: Any, tags: Any) -> None:
        """TagResource: add or overwrite tags."""
        new_tags = tags_to_dict(tags)
        with self._lock:
            self._tags[self._name_for_resource(resource_arn)].update(new_tags)

    def untag(self, resource_arn: Any, keys: Any) -> None:
        """UntagResource: remove the given tag keys (unknown keys are ignored)."""
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _invalid("TagKeys must be a list of strings")
        with self._lock:
            tags = self._tags[self._name_for_resource(resource_arn)]
            for key in keys:
                tags.pop(key, None)

    # -- helpers (call with the lock held) ---------------------------------

    def _insert(
        self, fields: dict[str, Any], tags: dict[str, str], created_at: float | None = None
    ) -> dict[str, Any]:
        """Store a validated rule and return its (live) record."""
        rule = {**fields, "RuleARN": self.rule_arn(fields["RuleName"])}
        rule.setdefault("Attributes", {})
        now = self._clock()
        created = now if created_at is None else created_at
        record = {"SamplingRule": rule, "CreatedAt": created, "ModifiedAt": now}
        self._records[rule["RuleName"]] = record
        self._tags[rule["RuleName"]] = tags
        return record

    def _find(self, rule_name: str | None, rule_arn: str | None) -> str:
        """Resolve a rule by name and/or ARN to its name, or raise."""
        if not rule_name and not rule_arn:
            raise _invalid("Either RuleName or RuleARN is required")
        if not all(isinstance(v, str) for v in (rule_name, rule_arn) if v is not None):
            raise _invalid("RuleName and RuleARN must be strings")
        by_arn = {r["SamplingRule"]["RuleARN"]: n for n, r in self._records.items()}
        name = by_arn.get(rule_arn) if rule_arn else rule_name
        if name not in self._records or (rule_name and rule_name != name):
            raise _invalid(f"Sampling rule does not exist: {rule_arn or rule_name}")
        return name

    def _name_for_resource(self, resource_arn: Any) -> str:
        """Map a tagging ResourceARN to a rule name (``ResourceNotFoundException`` if none)."""
        for name, record in self._records.items():
            if record["SamplingRule"]["RuleARN"] == resource_arn:
                return name
        raise SamplingRuleError(
            f"Resource not found: {resource_arn}", "ResourceNotFoundException", 404
        )

    @staticmethod
    def _check_default_update(rule: dict[str, Any], given: dict[str, Any]) -> None:
        """The Default rule only accepts changes to FixedRate and ReservoirSize."""
        changed = sorted(
            k for k, v in given.items() if k not in DEFAULT_RULE_UPDATABLE and rule.get(k) != v
        )
        if changed:
            raise _invalid(
                "Only FixedRate and ReservoirSize can be updated on the Default rule, "
                f"not {', '.join(changed)}"
            )


_STORE_ATTRIBUTE = "_platform_emulator_sampling_rules"
_store_lock = threading.Lock()


def store_for(backend: Any) -> SamplingRuleStore:
    """The store attached to a moto ``XRayBackend``, created on first use.

    moto's ``BaseBackend.reset()`` replaces the backend's ``__dict__``, so the
    store disappears with every ``/moto-api/reset``.
    """
    with _store_lock:
        store = backend.__dict__.get(_STORE_ATTRIBUTE)
        if store is None:
            store = SamplingRuleStore(backend.account_id, backend.region_name)
            setattr(backend, _STORE_ATTRIBUTE, store)
        return store


# --------------------------------------------------------------------------
# HTTP layer (moto response class) and installation
# --------------------------------------------------------------------------


class SamplingRulesResponse(XRayResponse):
    """moto's X-Ray responses plus the sampling-rule and tagging operations."""

    def create_sampling_rule(self) -> str | tuple[str, dict[str, int]]:
        """POST /CreateSamplingRule"""
        return self._respond(
            lambda store: {
                "SamplingRuleRecord": store.create(
                    self._get_param("SamplingRule"), self._get_param("Tags")
                )
            }
        )

    def get_sampling_rules(self) -> str | tuple[str, dict[str, int]]:
        """POST /GetSamplingRules"""

        def action(store: SamplingRuleStore) -> dict[str, Any]:
            records, token = store.page(self._get_param("NextToken"))
            return {"SamplingRuleRecords": records, **({"NextToken": token} if token else {})}

        return self._respond(action)

    def update_sampling_rule(self) -> str | tuple[str, dict[str, int]]:
        """POST /UpdateSamplingRule"""
        return self._respond(
            lambda store: {
                "SamplingRuleRecord": store.update(self._get_param("SamplingRuleUpdate"))
            }
        )

    def delete_sampling_rule(self) -> str | tuple[str, dict[str, int]]:
        """POST /DeleteSamplingRule"""
        return self._respond(
            lambda store: {
                "SamplingRuleRecord": store.delete(
                    self._get_param("RuleName"), self._get_param("RuleARN")
                )
            }
        )

    def list_tags_for_resource(self) -> str | tuple[str, dict[str, int]]:
        """POST /ListTagsForResource"""
        return self._respond(
            lambda store: {"Tags": store.list_tags(self._get_param("ResourceARN"))}
        )

    def tag_resource(self) -> str | tuple[str, dict[str, int]]:
        """POST /TagResource"""
        return self._respond(
            lambda store: store.tag(self._get_param("ResourceARN"), self._get_param("Tags"))
        )

    def untag_resource(self) -> str | tuple[str, dict[str, int]]:
        """POST /UntagResource"""
        return self._respond(
            lambda store: store.untag(self._get_param("ResourceARN"), self._get_param("TagKeys"))
        )

    def _respond(
        self, action: Callable[[SamplingRuleStore], dict[str, Any] | None]
    ) -> str | tuple[str, dict[str, int]]:
        """Run *action* on this account/region's store; JSON result or AWS error."""
        try:
            return json.dumps(action(store_for(self.xray_backend)) or {})
        except SamplingRuleError as err:
            body = json.dumps({"__type": err.code, "message": err.message})
            return body, {"status": err.status}


def install(operations: Iterable[str] = OPERATIONS) -> None:
    """Route the sampling-rule operations to :class:`SamplingRulesResponse`.

    Must run before moto builds its xray Flask app (i.e. before the first
    X-Ray request reaches the server); calling it twice is harmless.
    """
    from moto.xray import urls

    for operation in operations:
        urls.url_paths[f"{{0}}/{operation}$"] = SamplingRulesResponse.dispatch
