# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure naming and layout logic shared by the platform's filters (no Ansible imports)."""

import ipaddress
import re

# The longest names the platform derives from env_suffix, with the AWS limit
# each must fit.  The shortest remaining room decides the maximum length.
DERIVED_NAME_LIMITS = (
    ("tg-payments-green-{}", 32),  # ELBv2 target group name
    ("tg-payments-blue-{}", 32),
    ("alb-payments-{}", 32),  # ELBv2 load balancer name
    ("aurora-payments-{}", 63),  # RDS DB cluster identifier
    ("role-payments-flow-logs-{}", 64),  # IAM role name
)

ENV_SUFFIX_PATTERN = re.compile(r"^[a-z]([a-z0-9-]*[a-z0-9])?$")

SUBNET_TIERS = ("public", "private", "database")


def env_suffix_max_length():
    """The longest env_suffix for which every derived name fits its AWS limit."""
    return min(limit - len(template.format("")) for template, limit in DERIVED_NAME_LIMITS)


def env_suffix_problems(value):
    """Return a list of human-readable problems with ``value`` (empty when it is valid)."""
    if value is None:
        return ["env_suffix is required (for example -e env_suffix=dev)"]
    if not isinstance(value, str):
        return ["env_suffix must be a string, got %s" % type(value).__name__]
    if value == "":
        return ["env_suffix must not be empty"]
    problems = []
    max_length = env_suffix_max_length()
    if len(value) > max_length:
        template, limit = max(DERIVED_NAME_LIMITS, key=lambda item: len(item[0]) - item[1])
        problems.append(
            "env_suffix must be at most %d characters (got %d) so that %s fits the %d-character AWS limit"
            % (max_length, len(value), template.format("<env_suffix>"), limit)
        )
    if not value[0].isalpha() or not value[0].islower():
        problems.append("env_suffix must start with a lowercase letter")
    if re.search(r"[^a-z0-9-]", value):
        problems.append("env_suffix may contain only lowercase letters, digits and hyphens")
    if value.endswith("-"):
        problems.append("env_suffix must not end with a hyphen")
    if not problems and not ENV_SUFFIX_PATTERN.match(value):  # pragma: no cover - defensive
        problems.append("env_suffix must match %s" % ENV_SUFFIX_PATTERN.pattern)
    return problems


def subnet_layout(vpc_cidr, availability_zones, env_suffix, new_bits=4, tags=None):
    """Derive one public, private and database subnet per availability zone.

    Subnets are carved in order from ``vpc_cidr`` with ``new_bits`` more prefix
    bits: public first, then private, then database, one per zone in the order
    given.  Returns a list of dicts with cidr, az and tags: ``tags`` plus the
    subnet's ``Name`` and its ``SubnetTier`` (public, private or database).
    """
    network = ipaddress.ip_network(vpc_cidr, strict=True)
    zones = list(availability_zones)
    needed = len(SUBNET_TIERS) * len(zones)
    blocks = list(network.subnets(prefixlen_diff=int(new_bits)))
    if len(blocks) < needed:
        raise ValueError(
            "%s split with %d new bits gives %d subnets, %d are needed" % (vpc_cidr, new_bits, len(blocks), needed)
        )
    layout = []
    for tier_index, tier in enumerate(SUBNET_TIERS):
        for az_index, zone in enumerate(zones):
            name = "subnet-%s-%s-%s" % (tier, zone, env_suffix)
            layout.append(
                dict(
                    cidr=str(blocks[tier_index * len(zones) + az_index]),
                    az=zone,
                    tags=dict(tags or {}, Name=name, SubnetTier=tier),
                )
            )
    return layout
