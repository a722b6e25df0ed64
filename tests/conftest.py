"""Make the collection importable as ``ansible_collections.fintech.payment_platform``.

The repository root is the collection; ``collections/`` holds a link that
places it at ``ansible_collections/fintech/payment_platform``.  Ansible's own
collection finder merges that path with the collections installed in the
virtualenv (amazon.aws, community.aws), exactly as ansible-test does.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "collections")


def _install_collection_finder():
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    site_paths = [p for p in sys.path if os.path.isdir(os.path.join(p, "ansible_collections"))]
    finder = _AnsibleCollectionFinder(paths=[COLLECTIONS] + site_paths)
    finder._install()  # pylint: disable=protected-access


_install_collection_finder()
