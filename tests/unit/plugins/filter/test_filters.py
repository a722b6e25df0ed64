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
