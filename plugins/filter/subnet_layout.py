# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: subnet_layout
short_description: Derive the platform's subnets from a VPC CIDR
version_added: 0.1.0
description:
  - Carves one public, one private and one database subnet per availability zone out of O(_input),
    in that order, each O(new_bits) longer than the VPC prefix.
author:
  - Payment Platform maintainers
options:
  _input:
    description: The VPC CIDR block.
    type: str
    required: true
  availability_zones:
    description: Zone names, in the order subnets are assigned.
    type: list
    elements: str
    required: true
  env_suffix:
    description: The environment suffix used in the subnet names.
    type: str
    required: true
  new_bits:
    description: Extra prefix bits of each subnet.
    type: int
    default: 4
  tags:
    description: Tags of every subnet; C(Name) and C(SubnetTier) are added per subnet.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Subnets of 10.0.0.0/16 over three zones (/20 each)
  ansible.builtin.debug:
    msg: "{{ '10.0.0.0/16' | fintech.payment_platform.subnet_layout(['ap-southeast-1a', 'ap-southeast-1b'], 'dev') }}"
"""

RETURN = r"""
_value:
  description: One entry per subnet with C(cidr), C(az) and C(tags) (including C(Name) and C(SubnetTier)).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.fintech.payment_platform.plugins.plugin_utils.platform import subnet_layout


def _subnet_layout(vpc_cidr, availability_zones, env_suffix, new_bits=4, tags=None):
    try:
        return subnet_layout(vpc_cidr, availability_zones, env_suffix, new_bits, tags)
    except ValueError as e:
        raise AnsibleFilterError("subnet_layout: %s" % e) from e


class FilterModule:
    """Subnet layout."""

    def filters(self):
        return {"subnet_layout": _subnet_layout}
