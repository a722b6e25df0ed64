"""The filter plugins expose the pure helpers and turn their errors into filter errors."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.fintech.payment_platform.plugins.filter.env_suffix_problems import FilterModule as SuffixFilters
from ansible_collections.fintech.payment_platform.plugins.filter.subnet_layout import FilterModule as LayoutFilters


def test_env_suffix_problems_filter():
    problems = SuffixFilters().filters()["env_suffix_problems"]
    assert problems("dev") == []
    assert problems("DEV")


def test_subnet_layout_filter_error():
    layout = LayoutFilters().filters()["subnet_layout"]
    assert len(layout("10.0.0.0/16", ["a", "b", "c"], "dev")) == 9
    with pytest.raises(AnsibleFilterError, match="subnet_layout: "):
        layout("10.0.0.0/16", ["a", "b", "c"], "dev", 2)


TG = {
    "blue": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-payments-blue-dev/1",
    "green": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-payments-green-dev/2",
}


def _listener(port, blue, green):
    # The shape amazon.aws.elb_application_lb_info returns (snake_case keys).
    return {
        "port": port,
        "default_actions": [
            {
                "type": "forward",
                "forward_config": {
                    "target_groups": [
                        {"target_group_arn": TG["blue"], "weight": blue},
                        {"target_group_arn": TG["green"], "weight": green},
                    ],
                    "target_group_stickiness_config": {"enabled": False},
                },
            }
        ],
    }


def test_listener_weights_filter_reads_the_forwarding_listener():
    from ansible_collections.fintech.payment_platform.plugins.filter.listener_weights import FilterModule

    weights = FilterModule().filters()["listener_weights"]
    redirect = {"port": 80, "default_actions": [{"type": "redirect", "redirect_config": {"protocol": "HTTPS"}}]}
    assert weights([redirect, _listener(443, 10, 90)], 443, TG) == {"blue": 10, "green": 90}
    assert weights([], 443, TG) == {"blue": 100, "green": 0}
    assert weights([redirect], 443, TG, {"blue": 0, "green": 100}) == {"blue": 0, "green": 100}
    with pytest.raises(AnsibleFilterError, match="listener on port 80: .*one forward"):
        weights([redirect], 80, TG)
    # Without a port: the forwarding listener, whatever its port (HTTP today, HTTPS tomorrow).
    assert weights([redirect, _listener(443, 0, 100)], target_group_arns=TG) == {"blue": 0, "green": 100}
    assert weights([_listener(80, 90, 10)], target_group_arns=TG) == {"blue": 90, "green": 10}
    assert weights([redirect], target_group_arns=TG) == {"blue": 100, "green": 0}
