# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: env_suffix_problems
short_description: List what is wrong with an env_suffix
version_added: 0.1.0
description:
  - Returns the problems that make O(_input) unusable as the platform's C(env_suffix).
  - A valid suffix is lowercase letters, digits and hyphens, starts with a letter, does not end with a hyphen,
    and is short enough that the longest name derived from it (a target group name, 32 characters) fits its AWS limit.
author:
  - Payment Platform maintainers
options:
  _input:
    description: The candidate env_suffix.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse a bad suffix before any AWS call
  ansible.builtin.assert:
    that: env_suffix | fintech.payment_platform.env_suffix_problems | length == 0
    fail_msg: "{{ env_suffix | fintech.payment_platform.env_suffix_problems | join('; ') }}"
"""

RETURN = r"""
_value:
  description: One sentence per problem; empty when the suffix is valid.
  type: list
  elements: str
"""

from ansible_collections.fintech.payment_platform.plugins.plugin_utils.platform import env_suffix_problems


class FilterModule:
    """env_suffix validation."""

    def filters(self):
        return {"env_suffix_problems": env_suffix_problems}
