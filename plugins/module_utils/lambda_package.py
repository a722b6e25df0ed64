# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Deterministic zip archives of a source directory, for the fintech.payment_platform.lambda_package module.

The same files give the same archive bytes on every run: the entries are
sorted by archive name, carry a fixed timestamp (1980-01-01 00:00:00), fixed
permissions (0644 regular files) and a fixed "made by" system, are stored
uncompressed (compressed bytes depend on the zlib build of the controller),
and there are no directory entries.  File
modification times, the order in which the file system lists files and the
umask therefore do not change the archive, so AWS Lambda reports the same
CodeSha256 for it.

Nothing in here talks to AWS.
"""

import base64
import fnmatch
import hashlib
import io
import os
import re
import stat
import tempfile
import zipfile

from ansible.module_utils.common.text.converters import to_text

DEFAULT_EXCLUDES = ["__pycache__", "*.pyc", "*.pyo", "tests", ".*"]
DEFAULT_MODE = "0644"

# The earliest date a zip entry can carry (DOS date/time)
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# Regular file, rw-r--r--, in the upper 16 bits as Unix zip tools write it
FILE_EXTERNAL_ATTR = (stat.S_IFREG | 0o644) << 16
# "Made by" Unix, whatever system builds the archive
CREATE_SYSTEM_UNIX = 3

_OCTAL_MODE = re.compile(r"^0?[0-7]{3}$")


class LambdaPackageError(Exception):
    """A problem with the source, the destination or the options, with a message for the user."""


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------


def parse_mode(mode):
    """The permission bits of O(mode): an octal string such as "0644" or "644", or an integer.

    Raises LambdaPackageError for anything else (symbolic modes are not supported).
    """
    if isinstance(mode, bool):
        raise LambdaPackageError(f"mode must be an octal string such as '0644': got {mode!r}")
    if isinstance(mode, int):
        if 0 <= mode <= 0o777:
            return mode
        raise LambdaPackageError(f"mode must be between 0000 and 0777: got {mode!r} (quote octal modes, e.g. '0644')")
    text = to_text(mode).strip()
    if not _OCTAL_MODE.match(text):
        raise LambdaPackageError(f"mode must be an octal string such as '0644': got {mode!r}")
    return int(text, 8)


def exclude_problems(excludes):
    """The problems of the O(excludes) list (empty or non-string patterns)."""
    problems = []
    for index, pattern in enumerate(excludes or []):
        if not isinstance(pattern, str) or not pattern.strip():
            problems.append(f"excludes[{index}] must be a non-empty glob pattern: got {pattern!r}")
        elif "/" in pattern:
            problems.append(
                f"excludes[{index}] {pattern!r} contains '/': patterns are matched against each path component"
            )
    return problems


# ---------------------------------------------------------------------------
# Source files
# ---------------------------------------------------------------------------


def inside(path, directory):
    """Whether path is directory or below it (after resolving symbolic links)."""
    path = os.path.realpath(path)
    directory = os.path.realpath(directory)
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def is_excluded(name, excludes):
    """Whether one path component matches one of the glob patterns (case-sensitive)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in excludes or [])


def archive_name(relative_path):
    """The name of a file in the archive: its path relative to src with '/' separators."""
    return "/".join(relative_path.split(os.sep))


def collect_files(src, excludes):
    """[(archive name, path)] of the files under src, sorted by archive name.

    A file is left out when any component of its path relative to src (a
    directory or the file name) matches one of the excludes.  Symbolic links
    are followed, except a link to a directory that contains it (a loop).
    Raises LambdaPackageError for a missing src, a src that is not a
    directory, or a broken symbolic link.
    """
    if not os.path.exists(src):
        raise LambdaPackageError(f"src {src} does not exist")
    if not os.path.isdir(src):
        raise LambdaPackageError(f"src {src} is not a directory")

    files = []
    for dirpath, dirnames, filenames in os.walk(src, followlinks=True):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not is_excluded(name, excludes) and not inside(dirpath, os.path.join(dirpath, name))
        )
        for filename in sorted(filenames):
            if is_excluded(filename, excludes):
                continue
            path = os.path.join(dirpath, filename)
            if not os.path.exists(path):
                raise LambdaPackageError(f"{path} is a broken symbolic link")
            if not os.path.isfile(path):
                # Sockets, FIFOs and devices have no content to package.
                continue
            files.append((archive_name(os.path.relpath(path, src)), path))
    return sorted(files)


# ---------------------------------------------------------------------------
# Archive
# ---------------------------------------------------------------------------


def zip_entry(name):
    """The ZipInfo of one file: fixed timestamp, permissions, system and compression."""
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = CREATE_SYSTEM_UNIX
    info.external_attr = FILE_EXTERNAL_ATTR
    return info


def build_archive(files):
    """The bytes of the zip archive of files ([(archive name, path)], written in the given order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in files:
            with open(path, "rb") as source:
                data = source.read()
            archive.writestr(zip_entry(name), data, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def package(src, excludes):
    """(archive bytes, archive names) of src; raises LambdaPackageError when no file is left to package."""
    files = collect_files(src, excludes)
    if not files:
        raise LambdaPackageError(
            f"src {src} contains no file to package (after excludes: {', '.join(excludes or []) or 'none'})"
        )
    return build_archive(files), [name for name, dummy in files]


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def code_sha256(data):
    """What AWS Lambda reports as CodeSha256: the base64 of the raw SHA-256 digest of the zip file."""
    return to_text(base64.b64encode(hashlib.sha256(data).digest()))


# ---------------------------------------------------------------------------
# Destination
# ---------------------------------------------------------------------------


def read_existing(dest):
    """(bytes, permission bits) of an existing dest, or (None, None) when there is none.

    Raises LambdaPackageError when dest exists but is not a regular file.
    """
    if not os.path.lexists(dest):
        return None, None
    if os.path.isdir(dest):
        raise LambdaPackageError(f"dest {dest} is a directory")
    if not os.path.isfile(dest):
        raise LambdaPackageError(f"dest {dest} exists and is not a regular file")
    with open(dest, "rb") as existing:
        data = existing.read()
    return data, stat.S_IMODE(os.stat(dest).st_mode)


def archive_names(data):
    """The entry names of zip bytes, or None when they are not a readable zip archive."""
    if data is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def write_atomic(dest, data, mode):
    """Write data to dest through a temporary file in the same directory and os.replace.

    Parent directories are created.  The file gets the permission bits mode.
    """
    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=parent, prefix=f".{os.path.basename(dest)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, dest)
    except BaseException:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise


def diff_view(data, mode, names):
    """What --diff shows of an archive ({} when there is none)."""
    if data is None:
        return {}
    return {
        "sha256": sha256_hex(data),
        "size": len(data),
        "mode": f"{mode:04o}" if mode is not None else None,
        "files": names,
    }


def ensure_package(src, dest, excludes, mode, check_mode):
    """Build the archive of src and write it to dest when it differs.

    Returns (changed, result, diff): result holds dest, sha256, code_sha256,
    size and files; diff the before/after views.  In check mode nothing is
    written.  The content is written only when the bytes differ; the
    permissions are fixed when only they differ.
    """
    if inside(dest, src):
        raise LambdaPackageError(f"dest {dest} must not be inside src {src}: the archive would package itself")
    data, names = package(src, excludes)
    existing, existing_mode = read_existing(dest)

    content_changed = existing != data
    mode_changed = content_changed or existing_mode != mode
    if not check_mode:
        if content_changed:
            write_atomic(dest, data, mode)
        elif mode_changed:
            os.chmod(dest, mode)

    result = {
        "dest": dest,
        "sha256": sha256_hex(data),
        "code_sha256": code_sha256(data),
        "size": len(data),
        "files": names,
    }
    diff = {
        "before": diff_view(existing, existing_mode, archive_names(existing)),
        "after": diff_view(data, mode, names),
    }
    return content_changed or mode_changed, result, diff
