"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test bootstraps pip in each of its virtual environments by running a
cached ``get-pip.py``; fetching that file needs a host outside the package
registries.  This stand-in does the same job with the standard library's
``ensurepip`` and then installs the requested packages from the configured
package index.  ``make sanity`` copies it into ansible-test's cache.
"""

import subprocess
import sys

DROPPED = {"--no-setuptools", "--no-wheel"}


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
    if args:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)


if __name__ == "__main__":
    main()
