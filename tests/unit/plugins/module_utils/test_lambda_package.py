# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import base64
import hashlib
import io
import os
import stat
import zipfile

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import lambda_package as utils

DEFAULTS = utils.DEFAULT_EXCLUDES


def make_tree(root, files):
    """Create files ({relative path: bytes or text}) under root."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
    return root


SOURCE = {
    "handler.py": "def lambda_handler(event, context):\n    return {'ok': True}\n",
    "lib/__init__.py": "",
    "lib/secrets.py": "ROTATION_DAYS = 30\n" * 50,
    "lib/data/table.json": '{"a": 1}\n',
    "lib/__pycache__/secrets.cpython-312.pyc": b"\x00\x01compiled",
    "lib/old.pyc": b"\x00compiled",
    "lib/old.pyo": b"\x00optimised",
    "tests/test_handler.py": "def test(): pass\n",
    "lib/tests/test_secrets.py": "def test(): pass\n",
    ".env": "SECRET=1\n",
    ".git/config": "[core]\n",
    "lib/.hidden": "x\n",
}

PACKAGED = ["handler.py", "lib/__init__.py", "lib/data/table.json", "lib/secrets.py"]


@pytest.fixture
def src(tmp_path):
    return make_tree(tmp_path / "src", SOURCE)


# --- options --------------------------------------------------------------------


@pytest.mark.parametrize("mode, expected", [("0644", 0o644), ("644", 0o644), ("0600", 0o600), (0o640, 0o640), (420, 0o644)])
def test_parse_mode(mode, expected):
    assert utils.parse_mode(mode) == expected


@pytest.mark.parametrize("mode", ["u=rw,g=r,o=r", "0888", "12345", "", True, -1, 0o1777, "rw-r--r--"])
def test_parse_mode_rejects(mode):
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.parse_mode(mode)
    assert str(exc.value).startswith("mode must be")


def test_exclude_problems():
    assert utils.exclude_problems(DEFAULTS) == []
    assert utils.exclude_problems([]) == []
    assert utils.exclude_problems(["", "lib/tests", "ok", 3]) == [
        "excludes[0] must be a non-empty glob pattern: got ''",
        "excludes[1] 'lib/tests' contains '/': patterns are matched against each path component",
        "excludes[3] must be a non-empty glob pattern: got 3",
    ]


# --- collecting files ---------------------------------------------------------------


def test_collect_files_default_excludes(src):
    files = utils.collect_files(str(src), DEFAULTS)
    assert [name for name, dummy in files] == PACKAGED
    assert files[0][1] == os.path.join(str(src), "handler.py")


def test_collect_files_without_excludes(src):
    names = [name for name, dummy in utils.collect_files(str(src), [])]
    assert names == sorted(SOURCE)


def test_collect_files_custom_excludes_match_each_component(src):
    names = [name for name, dummy in utils.collect_files(str(src), ["data", "*.py"])]
    assert names == [
        ".env",
        ".git/config",
        "lib/.hidden",
        "lib/__pycache__/secrets.cpython-312.pyc",
        "lib/old.pyc",
        "lib/old.pyo",
    ]


def test_collect_files_excludes_are_case_sensitive(src):
    names = [name for name, dummy in utils.collect_files(str(src), ["HANDLER.PY"])]
    assert "handler.py" in names


def test_src_own_path_is_not_matched(tmp_path):
    # src itself lives in a directory called "tests" and is hidden: only the components below src count.
    src = make_tree(tmp_path / "tests" / ".build", {"handler.py": "x"})
    assert [name for name, dummy in utils.collect_files(str(src), DEFAULTS)] == ["handler.py"]


def test_collect_files_follows_symlinks_once(tmp_path):
    src = make_tree(tmp_path / "src", {"pkg/mod.py": "x", "real.py": "y"})
    os.symlink(str(src / "real.py"), str(src / "link.py"))
    os.symlink(str(src / "pkg"), str(src / "pkg_link"))
    os.symlink(str(src), str(src / "pkg" / "loop"))
    names = [name for name, dummy in utils.collect_files(str(src), [])]
    assert names == ["link.py", "pkg/mod.py", "pkg_link/mod.py", "real.py"]


def test_collect_files_broken_symlink(tmp_path):
    src = make_tree(tmp_path / "src", {"handler.py": "x"})
    os.symlink(str(src / "missing.py"), str(src / "broken.py"))
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.collect_files(str(src), [])
    assert str(exc.value).endswith("broken.py is a broken symbolic link")


def test_collect_files_missing_src(tmp_path):
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.collect_files(str(tmp_path / "nope"), DEFAULTS)
    assert str(exc.value) == f"src {tmp_path / 'nope'} does not exist"


def test_collect_files_src_is_a_file(tmp_path):
    path = tmp_path / "handler.py"
    path.write_text("x")
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.collect_files(str(path), DEFAULTS)
    assert str(exc.value) == f"src {path} is not a directory"


def test_package_without_files(tmp_path):
    src = make_tree(tmp_path / "src", {"tests/test_x.py": "x", "__pycache__/a.pyc": "y"})
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.package(str(src), DEFAULTS)
    assert str(exc.value) == (
        f"src {src} contains no file to package (after excludes: __pycache__, *.pyc, *.pyo, tests, .*)"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.package(str(empty), [])
    assert str(exc.value) == f"src {empty} contains no file to package (after excludes: none)"


# --- determinism ------------------------------------------------------------------------


def test_same_content_same_bytes(src, tmp_path):
    first, names = utils.package(str(src), DEFAULTS)
    second, dummy = utils.package(str(src), DEFAULTS)
    assert first == second
    assert names == PACKAGED

    # A copy elsewhere, created in another order, gives the same bytes too.
    copy = tmp_path / "copy"
    for relative in sorted(SOURCE, reverse=True):
        make_tree(copy, {relative: SOURCE[relative]})
    assert utils.package(str(copy), DEFAULTS)[0] == first


def test_mtime_and_permissions_do_not_change_the_archive(src):
    before, dummy = utils.package(str(src), DEFAULTS)
    for relative in SOURCE:
        os.utime(str(src / relative), (1234567890, 1234567890))
    os.chmod(str(src / "handler.py"), 0o755)
    after, dummy = utils.package(str(src), DEFAULTS)
    assert after == before


def test_content_change_changes_the_archive(src):
    before, dummy = utils.package(str(src), DEFAULTS)
    (src / "lib" / "secrets.py").write_text("ROTATION_DAYS = 31\n")
    assert utils.package(str(src), DEFAULTS)[0] != before


def test_archive_entries_are_fixed(src):
    data, dummy = utils.package(str(src), DEFAULTS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [info.filename for info in infos] == PACKAGED
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.create_system == 3
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644
            assert stat.S_ISREG(info.external_attr >> 16)
            assert not info.is_dir()
        assert archive.read("lib/secrets.py") == SOURCE["lib/secrets.py"].encode()


def test_checksums():
    data = b"zip bytes"
    assert utils.sha256_hex(data) == hashlib.sha256(data).hexdigest()
    assert utils.code_sha256(data) == base64.b64encode(hashlib.sha256(data).digest()).decode()
    # The well-known value for "foo"
    assert utils.code_sha256(b"foo") == "LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564="


# --- destination ----------------------------------------------------------------------


def test_inside(tmp_path):
    assert utils.inside(str(tmp_path / "src" / "out.zip"), str(tmp_path / "src"))
    assert utils.inside(str(tmp_path / "src"), str(tmp_path / "src"))
    assert not utils.inside(str(tmp_path / "src2" / "out.zip"), str(tmp_path / "src"))


def test_read_existing(tmp_path):
    assert utils.read_existing(str(tmp_path / "missing.zip")) == (None, None)
    path = tmp_path / "a.zip"
    path.write_bytes(b"abc")
    os.chmod(str(path), 0o600)
    assert utils.read_existing(str(path)) == (b"abc", 0o600)
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.read_existing(str(tmp_path))
    assert str(exc.value) == f"dest {tmp_path} is a directory"


def test_archive_names(src):
    data, dummy = utils.package(str(src), DEFAULTS)
    assert utils.archive_names(data) == PACKAGED
    assert utils.archive_names(b"not a zip") is None
    assert utils.archive_names(None) is None


def test_write_atomic_creates_parents_and_leaves_no_temp(tmp_path):
    dest = tmp_path / "a" / "b" / "pkg.zip"
    utils.write_atomic(str(dest), b"data", 0o640)
    assert dest.read_bytes() == b"data"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o640
    assert os.listdir(str(dest.parent)) == ["pkg.zip"]


def test_write_atomic_failure_removes_temp(tmp_path, monkeypatch):
    dest = tmp_path / "pkg.zip"
    dest.write_bytes(b"old")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(utils.os, "replace", fail)
    with pytest.raises(OSError):
        utils.write_atomic(str(dest), b"new", 0o644)
    assert dest.read_bytes() == b"old"
    assert os.listdir(str(tmp_path)) == ["pkg.zip"]


# --- ensure_package ------------------------------------------------------------------------


def test_ensure_package_writes_then_is_idempotent(src, tmp_path):
    dest = str(tmp_path / "out" / "pkg.zip")
    changed, result, diff = utils.ensure_package(str(src), dest, DEFAULTS, 0o644, False)
    data = (tmp_path / "out" / "pkg.zip").read_bytes()
    assert changed is True
    assert result == {
        "dest": dest,
        "sha256": hashlib.sha256(data).hexdigest(),
        "code_sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "size": len(data),
        "files": PACKAGED,
    }
    assert diff["before"] == {}
    assert diff["after"] == {"sha256": result["sha256"], "size": len(data), "mode": "0644", "files": PACKAGED}
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o644

    mtime = os.stat(dest).st_mtime_ns
    os.utime(str(src / "handler.py"), (1, 1))
    changed, again, diff = utils.ensure_package(str(src), dest, DEFAULTS, 0o644, False)
    assert changed is False
    assert again == result
    assert diff["before"] == diff["after"]
    assert os.stat(dest).st_mtime_ns == mtime


def test_ensure_package_check_mode_does_not_write(src, tmp_path):
    dest = tmp_path / "out" / "pkg.zip"
    changed, result, diff = utils.ensure_package(str(src), str(dest), DEFAULTS, 0o644, True)
    assert changed is True
    assert not dest.exists()
    assert not (tmp_path / "out").exists()
    assert result["files"] == PACKAGED
    assert diff["before"] == {}


def test_ensure_package_check_mode_on_other_content(src, tmp_path):
    dest = tmp_path / "pkg.zip"
    dest.write_bytes(b"old")
    changed, result, diff = utils.ensure_package(str(src), str(dest), DEFAULTS, 0o644, True)
    assert changed is True
    assert dest.read_bytes() == b"old"
    assert diff["before"]["files"] is None
    assert diff["before"]["size"] == 3


def test_ensure_package_rewrites_changed_content(src, tmp_path):
    dest = tmp_path / "pkg.zip"
    utils.ensure_package(str(src), str(dest), DEFAULTS, 0o644, False)
    (src / "handler.py").write_text("changed\n")
    changed, result, diff = utils.ensure_package(str(src), str(dest), DEFAULTS, 0o644, False)
    assert changed is True
    assert diff["before"]["sha256"] != diff["after"]["sha256"]
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == result["sha256"]


def test_ensure_package_fixes_only_the_mode(src, tmp_path):
    dest = tmp_path / "pkg.zip"
    utils.ensure_package(str(src), str(dest), DEFAULTS, 0o644, False)
    inode = os.stat(str(dest)).st_ino
    changed, dummy, diff = utils.ensure_package(str(src), str(dest), DEFAULTS, 0o600, True)
    assert changed is True
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o644
    changed, dummy, diff = utils.ensure_package(str(src), str(dest), DEFAULTS, 0o600, False)
    assert changed is True
    assert (diff["before"]["mode"], diff["after"]["mode"]) == ("0644", "0600")
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600
    assert os.stat(str(dest)).st_ino == inode


def test_ensure_package_refuses_dest_inside_src(src):
    with pytest.raises(utils.LambdaPackageError) as exc:
        utils.ensure_package(str(src), str(src / "build" / "pkg.zip"), DEFAULTS, 0o644, True)
    assert "must not be inside src" in str(exc.value)
