#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_package
version_added: 0.2.0
short_description: Build a deterministic zip archive of a directory for AWS Lambda
description:
  - Packages the files of a source directory into a zip archive for an AWS Lambda function, so that
    the same files always give the same bytes and AWS Lambda reports the same C(CodeSha256) on every
    run. M(amazon.aws.lambda) then sees no change when the code did not change.
  - The archive is deterministic. The entries are sorted by their archive name, carry the fixed timestamp
    1980-01-01 00:00:00 and fixed permissions (regular file, V(0644)), are stored uncompressed
    (compressed bytes would depend on the zlib build of the controller), and there are no directory
    entries. File modification times, the order in which the file system lists the files, the umask
    and the owner do not change the archive.
  - O(dest) is only written when its content differs from the archive; the write is atomic (a temporary
    file in the same directory, then a rename).
  - This module does not call AWS. It runs where the task runs, normally on the controller
    (C(delegate_to) set to C(localhost), or a play on C(localhost)).
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  src:
    description:
      - The directory to package. Its content becomes the root of the archive (the directory itself
        is not part of the archive names).
      - Symbolic links are followed, except links to a directory that contains them (loops).
      - The module fails when O(src) does not exist, is not a directory, or holds no file once
        O(excludes) are applied.
    type: path
    required: true
  dest:
    description:
      - The zip file to write. Missing parent directories are created.
      - Must not be inside O(src).
    type: path
    required: true
  excludes:
    description:
      - Glob patterns (C(fnmatch), case-sensitive) matched against each component of the path of every
        file relative to O(src). A file is left out when its name or the name of any directory above
        it (below O(src)) matches one of the patterns.
      - The default leaves out Python caches, compiled files, C(tests) directories and hidden files and
        directories. Give V([]) to package every file.
    type: list
    elements: str
    default: ["__pycache__", "*.pyc", "*.pyo", "tests", ".*"]
  mode:
    description:
      - The permissions of the zip file, as an octal string such as V("0644") (quote it in YAML).
      - Symbolic modes are not supported.
      - When only the permissions of an existing O(dest) differ they are changed and the content is
        not rewritten.
    type: raw
    default: "0644"
notes:
  - The archive is byte-for-byte identical for the same files on every controller. Executable
    bits are not kept (every file is stored as V(0644)), which suits interpreted runtimes such as Python.
  - Check mode builds the archive in memory and reports whether O(dest) would change, without writing.
attributes:
  check_mode:
    support: full
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    support: full
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

EXAMPLES = r"""
- name: Package the rotation Lambda
  fintech.payment_platform.lambda_package:
    src: "{{ role_path }}/files/lambda/rotate_secret"
    dest: "{{ build_dir }}/rotate_secret.zip"
  delegate_to: localhost
  register: rotate_secret_package

- name: Deploy it (no change when the code did not change)
  amazon.aws.lambda:
    name: rotate-secret
    runtime: python3.12
    handler: handler.lambda_handler
    role: "{{ rotation_role_arn }}"
    zip_file: "{{ rotate_secret_package.dest }}"

- name: Package everything, including the tests, readable by the owner only
  fintech.payment_platform.lambda_package:
    src: lambda/report
    dest: build/report.zip
    excludes: []
    mode: "0600"
"""

RETURN = r"""
dest:
  description: The path of the zip file.
  returned: success
  type: str
  sample: /tmp/build/rotate_secret.zip
sha256:
  description: The SHA-256 of the zip file, in hexadecimal.
  returned: success
  type: str
  sample: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
code_sha256:
  description:
    - The base64 encoding of the raw SHA-256 digest of the zip file, which is what AWS Lambda reports as
      C(CodeSha256) for a function deployed from it.
  returned: success
  type: str
  sample: LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=
size:
  description: The size of the zip file in bytes.
  returned: success
  type: int
  sample: 1832
files:
  description: The names of the files in the archive, in archive order (sorted).
  returned: success
  type: list
  elements: str
  sample: ["handler.py", "lib/secrets.py"]
diff:
  description: The zip file before and after (V({}) when it did not exist).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The SHA-256, size, permissions and entry names of the existing zip file.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The SHA-256, size, permissions and entry names of the archive.
      returned: in diff mode
      type: dict
      sample: {"sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "size": 1832,
               "mode": "0644", "files": ["handler.py"]}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.fintech.payment_platform.plugins.module_utils.lambda_package import DEFAULT_EXCLUDES
from ansible_collections.fintech.payment_platform.plugins.module_utils.lambda_package import DEFAULT_MODE
from ansible_collections.fintech.payment_platform.plugins.module_utils.lambda_package import LambdaPackageError
from ansible_collections.fintech.payment_platform.plugins.module_utils.lambda_package import ensure_package
from ansible_collections.fintech.payment_platform.plugins.module_utils.lambda_package import exclude_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.lambda_package import parse_mode


def main():
    argument_spec = dict(
        src=dict(type="path", required=True),
        dest=dict(type="path", required=True),
        excludes=dict(type="list", elements="str", default=list(DEFAULT_EXCLUDES)),
        mode=dict(type="raw", default=DEFAULT_MODE),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)

    src = module.params["src"]
    dest = module.params["dest"]
    excludes = module.params["excludes"]

    problems = exclude_problems(excludes)
    try:
        mode = parse_mode(module.params["mode"])
    except LambdaPackageError as e:
        problems.append(to_native(e))
    if problems:
        module.fail_json(msg="; ".join(problems))

    try:
        changed, result, diff = ensure_package(src, dest, excludes, mode, module.check_mode)
    except LambdaPackageError as e:
        module.fail_json(msg=to_native(e), dest=dest)
    except (IOError, OSError) as e:
        module.fail_json(msg=f"Failed to package {src} into {dest}: {to_native(e)}", dest=dest)

    if module._diff:
        result["diff"] = diff
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
