# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests for the AWS-calling functions of security_groups."""

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.amazon.aws.plugins.module_utils import cloud  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.module_utils import security_groups as sg  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.modules import security_groups as module  # noqa: E402

VPC = "vpc-0123456789abcdef0"
VPC_FILTER = [{"Name": "vpc-id", "Values": [VPC]}]
OWNER = "123456789012"
WEB = "sg-0000000000000000a"
APP = "sg-0000000000000000b"
DEFAULT = "sg-0000000000000000f"
ALL_EGRESS = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


class Failed(Exception):
    """Raised by FakeModule.fail_json."""

    def __init__(self, msg, **kwargs):
        super().__init__(msg)
        self.msg = msg
        self.kwargs = kwargs


class FakeModule:
    """Just enough of AnsibleAWSModule for the module's functions."""

    def __init__(self, check_mode=False, **params):
        self.check_mode = check_mode
        self.params = {
            "vpc_id": VPC,
            "security_groups": [],
            "tags": None,
            "purge_tags": True,
            "purge_rules": True,
            "purge_rules_egress": True,
            "purge_groups": False,
            "state": "present",
        }
        self.params.update(params)

    def fail_json(self, msg, **kwargs):
        raise Failed(msg, **kwargs)


@pytest.fixture
def ec2():
    client = boto3.client(
        "ec2", region_name="ap-southeast-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def no_sleep(monkeypatch):
    """Retries without waiting; records the delays asked for."""
    delays = []
    monkeypatch.setattr(cloud.time, "sleep", delays.append)
    return delays


def boto_group(group_id, name, ingress=None, egress=None, tags=None, description=None):
    return {
        "GroupId": group_id,
        "GroupName": name,
        "Description": description or f"{name} tier",
        "VpcId": VPC,
        "OwnerId": OWNER,
        "IpPermissions": ingress or [],
        "IpPermissionsEgress": ALL_EGRESS if egress is None else egress,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }


def tcp(port, cidr=None, group=None, description=None):
    permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    item = {"CidrIp": cidr} if cidr else {"GroupId": group}
    if description:
        item["Description"] = description
    permission["IpRanges" if cidr else "UserIdGroupPairs"] = [item]
    return permission


def rule(ports, cidr_ip=None, group=None, rule_desc=None, proto="tcp"):
    return {"proto": proto, "ports": ports, "cidr_ip": cidr_ip, "cidr_ipv6": None, "group": group,
            "prefix_list_id": None, "rule_desc": rule_desc}


def entry(name, rules=None, rules_egress=None, tags=None, description=None):
    return {"name": name, "description": description or f"{name} tier", "rules": rules, "rules_egress": rules_egress, "tags": tags}


def desired(fake, *entries):
    fake.params["security_groups"] = list(entries)
    return sg.build_desired_groups(fake.params)


def web_and_app():
    return (
        entry("web", rules=[rule([443], cidr_ip="0.0.0.0/0", rule_desc="HTTPS")], rules_egress=[rule([8080], group="app")]),
        entry("app", rules=[rule([8080], group="web")], rules_egress=[], tags={"Name": "app"}),
    )


def current_web_and_app():
    return [
        boto_group(DEFAULT, "default", ingress=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": DEFAULT, "UserId": OWNER}]}]),
        boto_group(WEB, "web", ingress=[tcp(443, cidr="0.0.0.0/0", description="HTTPS")], egress=[tcp(8080, group=APP)]),
        boto_group(APP, "app", ingress=[tcp(8080, group=WEB)], egress=[], tags={"Name": "app"}),
    ]


# ------------------------------------------------------------------ describe


def test_describe_filters_on_the_vpc_and_paginates(ec2):
    client, stubber = ec2
    stubber.add_response("describe_security_groups", {"SecurityGroups": [boto_group(WEB, "web")], "NextToken": "t"}, {"Filters": VPC_FILTER})
    stubber.add_response("describe_security_groups", {"SecurityGroups": [boto_group(APP, "app")]}, {"Filters": VPC_FILTER, "NextToken": "t"})
    assert [g["GroupId"] for g in module.describe_vpc_security_groups(client, VPC)] == [WEB, APP]


def test_describe_error_is_wrapped(ec2):
    client, stubber = ec2
    stubber.add_client_error("describe_security_groups", "UnauthorizedOperation", "nope")
    with pytest.raises(AnsibleEC2Error, match=f"describe the security groups of {VPC}"):
        module.describe_vpc_security_groups(client, VPC)


def test_read_groups_normalizes(ec2):
    client, stubber = ec2
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()[1:2]}, {"Filters": VPC_FILTER})
    (web,) = module.read_groups(client, VPC)
    assert web["group_id"] == WEB
    assert web["ingress"] == {("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "HTTPS"}
    assert web["egress"] == {("tcp", 8080, 8080, "group", APP): None}


# ------------------------------------------------------------------ single calls


def test_create_security_group_sends_the_tags(ec2):
    client, stubber = ec2
    fake = FakeModule()
    (wanted,) = desired(fake, entry("app", tags={"Name": "app"}))
    stubber.add_response(
        "create_security_group",
        {"GroupId": APP},
        {
            "GroupName": "app",
            "Description": "app tier",
            "VpcId": VPC,
            "TagSpecifications": [{"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "app"}]}],
        },
    )
    assert module.create_security_group(client, VPC, wanted) == APP


def test_create_security_group_in_a_missing_vpc(ec2):
    client, stubber = ec2
    (wanted,) = desired(FakeModule(), entry("app"))
    stubber.add_client_error("create_security_group", "InvalidVpcID.NotFound", "The vpc ID does not exist")
    with pytest.raises(AnsibleEC2Error, match=f"VPC {VPC} does not exist, so its security groups cannot be created"):
        module.create_security_group(client, VPC, wanted)


def test_create_security_group_other_error(ec2):
    client, stubber = ec2
    (wanted,) = desired(FakeModule(), entry("app"))
    stubber.add_client_error("create_security_group", "InvalidGroup.Duplicate", "exists")
    with pytest.raises(AnsibleEC2Error, match=f"create security group app in {VPC}"):
        module.create_security_group(client, VPC, wanted)


@pytest.mark.parametrize(
    ("function", "direction", "operation"),
    [
        (module.authorize_rules, "ingress", "authorize_security_group_ingress"),
        (module.authorize_rules, "egress", "authorize_security_group_egress"),
        (module.update_rule_descriptions, "ingress", "update_security_group_rule_descriptions_ingress"),
        (module.update_rule_descriptions, "egress", "update_security_group_rule_descriptions_egress"),
        (module.revoke_rules, "ingress", "revoke_security_group_ingress"),
        (module.revoke_rules, "egress", "revoke_security_group_egress"),
    ],
)
def test_rule_calls(ec2, function, direction, operation):
    client, stubber = ec2
    permissions = [tcp(443, cidr="0.0.0.0/0", description="HTTPS")]
    stubber.add_response(operation, {"Return": True}, {"GroupId": WEB, "IpPermissions": permissions})
    assert function(client, WEB, direction, permissions) is True


def test_rule_call_error_names_the_group(ec2):
    client, stubber = ec2
    stubber.add_client_error("authorize_security_group_egress", "RulesPerSecurityGroupLimitExceeded", "too many")
    with pytest.raises(AnsibleEC2Error, match=f"authorize egress rules of {WEB}"):
        module.authorize_rules(client, WEB, "egress", [tcp(1, cidr="10.0.0.0/8")])


def test_rule_calls_on_a_new_group_are_retried_while_it_is_unknown(ec2, no_sleep):
    client, stubber = ec2
    permissions = [tcp(8080, group=APP)]
    stubber.add_client_error("authorize_security_group_ingress", "InvalidGroup.NotFound", "not yet")
    stubber.add_response("authorize_security_group_ingress", {"Return": True}, {"GroupId": WEB, "IpPermissions": permissions})
    assert module.authorize_rules(client, WEB, "ingress", permissions, fresh=True) is True
    assert len(no_sleep) == 1


def test_rule_calls_on_an_old_group_are_not_retried_when_unknown(ec2, no_sleep):
    client, stubber = ec2
    stubber.add_client_error("authorize_security_group_ingress", "InvalidGroup.NotFound", "no such group")
    with pytest.raises(AnsibleEC2Error):
        module.authorize_rules(client, WEB, "ingress", [tcp(1, group=APP)])
    assert no_sleep == []


def test_revoke_on_a_group_that_is_gone(ec2):
    client, stubber = ec2
    stubber.add_client_error("revoke_security_group_ingress", "InvalidGroup.NotFound", "gone")
    assert module.revoke_rules(client, WEB, "ingress", [tcp(1, cidr="10.0.0.0/8")]) is False


def test_tags(ec2):
    client, stubber = ec2
    stubber.add_response("create_tags", {}, {"Resources": [WEB], "Tags": [{"Key": "Name", "Value": "web"}]})
    stubber.add_response("delete_tags", {}, {"Resources": [WEB], "Tags": [{"Key": "Old"}]})
    assert module.tag_security_group(client, WEB, {"Name": "web"}) is True
    assert module.untag_security_group(client, WEB, ["Old"]) is True


def test_delete_security_group(ec2):
    client, stubber = ec2
    stubber.add_response("delete_security_group", {}, {"GroupId": WEB})
    stubber.add_client_error("delete_security_group", "InvalidGroup.NotFound", "gone")
    assert module.delete_security_group(client, WEB) is True
    assert module.delete_security_group(client, WEB) is False


def test_delete_security_group_retries_a_dependency_violation(ec2, no_sleep):
    client, stubber = ec2
    stubber.add_client_error("delete_security_group", "DependencyViolation", "still referenced")
    stubber.add_response("delete_security_group", {}, {"GroupId": WEB})
    assert module.delete_security_group(client, WEB) is True
    assert len(no_sleep) == 1


def test_delete_security_group_in_use_fails_in_the_end(ec2, no_sleep):
    client, stubber = ec2
    # Five attempts in all, four waits.
    for dummy in range(5):
        stubber.add_client_error("delete_security_group", "DependencyViolation", "has a dependent object")
    with pytest.raises(AnsibleEC2Error, match=f"delete security group {WEB}"):
        module.delete_security_group(client, WEB)
    assert len(no_sleep) == 4


# ------------------------------------------------------------------ ensure_security_groups


def test_no_op_makes_exactly_one_read_call(ec2):
    client, stubber = ec2
    fake = FakeModule()
    want = desired(fake, *web_and_app())
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    outcome = module.ensure_security_groups(client, fake, VPC, want)
    assert outcome["changed"] is False
    assert [g["group_id"] for g in outcome["groups"]] == [WEB, APP]
    assert outcome["deleted"] == []
    assert outcome["diff"]["before"] == outcome["diff"]["after"]
    assert outcome["group_names"] == {DEFAULT: "default", WEB: "web", APP: "app"}


def test_check_mode_with_a_placeholder_vpc_predicts_by_name(ec2):
    client, stubber = ec2
    placeholder = "vpc-0pending0check0mode"
    fake = FakeModule(check_mode=True, vpc_id=placeholder)
    want = desired(fake, *web_and_app())
    stubber.add_response("describe_security_groups", {"SecurityGroups": []}, {"Filters": [{"Name": "vpc-id", "Values": [placeholder]}]})
    outcome = module.ensure_security_groups(client, fake, placeholder, want)
    assert outcome["changed"] is True
    web, app = (sg.render_group(g, outcome["group_names"]) for g in outcome["groups"])
    assert web["group_id"] is None and web["vpc_id"] == placeholder
    assert web["ip_permissions_egress"][0]["user_id_group_pairs"] == [{"group_id": None, "group_name": "app"}]
    assert app["ip_permissions_egress"] == []
    assert outcome["diff"]["before"] == {}
    assert outcome["diff"]["after"]["web"]["rules_egress"] == ["tcp 8080 app (no ID yet)"]


def test_conflicts_fail_before_any_change(ec2):
    client, stubber = ec2
    fake = FakeModule()
    want = desired(fake, entry("web", description="Renamed"))
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    with pytest.raises(Failed, match="nothing was changed: security group 'web'") as failure:
        module.ensure_security_groups(client, fake, VPC, want)
    assert len(failure.value.kwargs["conflicts"]) == 1


def test_unknown_reference_fails_outside_check_mode_and_warns_in_check_mode(ec2, monkeypatch):
    client, stubber = ec2
    warnings = []
    monkeypatch.setattr(module, "warn", warnings.append)
    for dummy in range(2):
        stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    fake = FakeModule()
    want = desired(fake, entry("web", rules=[rule([22], group="ghost")]))
    with pytest.raises(Failed, match="group 'ghost' is neither in security_groups, nor an existing security group"):
        module.ensure_security_groups(client, fake, VPC, want)
    check = FakeModule(check_mode=True)
    outcome = module.ensure_security_groups(client, check, VPC, desired(check, entry("web", rules=[rule([22], group="ghost")])))
    assert outcome["changed"] is True
    assert len(warnings) == 1 and "group 'ghost' is neither in security_groups" in warnings[0]
    assert "nothing was changed" not in warnings[0]


def test_create_then_rules_with_the_new_ids(ec2):
    """Both groups are new: create, read again, authorize with the IDs, revoke the default egress of app."""
    client, stubber = ec2
    fake = FakeModule()
    want = desired(fake, *web_and_app())
    stubber.add_response("describe_security_groups", {"SecurityGroups": []}, {"Filters": VPC_FILTER})
    stubber.add_response("create_security_group", {"GroupId": WEB}, {"GroupName": "web", "Description": "web tier", "VpcId": VPC})
    stubber.add_response(
        "create_security_group",
        {"GroupId": APP},
        {"GroupName": "app", "Description": "app tier", "VpcId": VPC,
         "TagSpecifications": [{"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "app"}]}]},
    )
    # The second read sees web but not yet app (eventual consistency).
    stubber.add_response("describe_security_groups", {"SecurityGroups": [boto_group(WEB, "web")]}, {"Filters": VPC_FILTER})
    stubber.add_response(
        "authorize_security_group_ingress", {"Return": True},
        {"GroupId": WEB, "IpPermissions": [tcp(443, cidr="0.0.0.0/0", description="HTTPS")]},
    )
    stubber.add_response("authorize_security_group_egress", {"Return": True}, {"GroupId": WEB, "IpPermissions": [tcp(8080, group=APP)]})
    stubber.add_response("authorize_security_group_ingress", {"Return": True}, {"GroupId": APP, "IpPermissions": [tcp(8080, group=WEB)]})
    stubber.add_response("revoke_security_group_egress", {"Return": True}, {"GroupId": WEB, "IpPermissions": ALL_EGRESS})
    stubber.add_response("revoke_security_group_egress", {"Return": True}, {"GroupId": APP, "IpPermissions": ALL_EGRESS})
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    outcome = module.ensure_security_groups(client, fake, VPC, want)
    assert outcome["changed"] is True
    assert [g["group_id"] for g in outcome["groups"]] == [WEB, APP]
    assert outcome["diff"]["before"] == {}
    assert outcome["diff"]["after"]["web"]["rules_egress"] == [f"tcp 8080 {APP} (app)"]


def test_description_only_change_is_an_update(ec2):
    client, stubber = ec2
    fake = FakeModule()
    web, app = web_and_app()
    web["rules"][0]["rule_desc"] = "HTTPS (TLS)"
    want = desired(fake, web, app)
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    stubber.add_response(
        "update_security_group_rule_descriptions_ingress", {"Return": True},
        {"GroupId": WEB, "IpPermissions": [tcp(443, cidr="0.0.0.0/0", description="HTTPS (TLS)")]},
    )
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    outcome = module.ensure_security_groups(client, fake, VPC, want)
    assert outcome["changed"] is True


def test_tags_of_an_existing_group(ec2):
    client, stubber = ec2
    fake = FakeModule()
    web, app = web_and_app()
    app["tags"] = {"Name": "app2"}
    want = desired(fake, web, app)
    current = current_web_and_app()
    current[2]["Tags"].append({"Key": "Old", "Value": "x"})
    stubber.add_response("describe_security_groups", {"SecurityGroups": current}, {"Filters": VPC_FILTER})
    stubber.add_response("delete_tags", {}, {"Resources": [APP], "Tags": [{"Key": "Old"}]})
    stubber.add_response("create_tags", {}, {"Resources": [APP], "Tags": [{"Key": "Name", "Value": "app2"}]})
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    assert module.ensure_security_groups(client, fake, VPC, want)["changed"] is True


def test_absent_purge_revokes_the_cycle_then_deletes(ec2):
    client, stubber = ec2
    fake = FakeModule(state="absent", purge_groups=True)
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    stubber.add_response("revoke_security_group_egress", {"Return": True}, {"GroupId": WEB, "IpPermissions": [tcp(8080, group=APP)]})
    stubber.add_response("revoke_security_group_ingress", {"Return": True}, {"GroupId": APP, "IpPermissions": [tcp(8080, group=WEB)]})
    stubber.add_response("delete_security_group", {}, {"GroupId": WEB})
    stubber.add_response("delete_security_group", {}, {"GroupId": APP})
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()[:1]}, {"Filters": VPC_FILTER})
    outcome = module.ensure_security_groups(client, fake, VPC, [])
    assert outcome["changed"] is True
    assert outcome["groups"] == []
    assert outcome["deleted"] == [WEB, APP]
    assert set(outcome["diff"]["before"]) == {"web", "app"} and outcome["diff"]["after"] == {}


def test_failure_reports_the_changes_already_made(ec2):
    client, stubber = ec2
    fake = FakeModule(state="absent", purge_groups=True)
    stubber.add_response("describe_security_groups", {"SecurityGroups": current_web_and_app()}, {"Filters": VPC_FILTER})
    stubber.add_response("revoke_security_group_egress", {"Return": True}, {"GroupId": WEB, "IpPermissions": [tcp(8080, group=APP)]})
    stubber.add_client_error("revoke_security_group_ingress", "UnauthorizedOperation", "nope")
    with pytest.raises(AnsibleEC2Error) as failure:
        module.ensure_security_groups(client, fake, VPC, [])
    assert f"revoke ingress rules of {APP}" in failure.value.message
    assert f"changes already made: revoked 1 rule (egress) on web ({WEB})" in failure.value.message
