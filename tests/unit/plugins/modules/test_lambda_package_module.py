# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tests of the lambda_package module through main(): options, results, check and diff mode."""

import base64
import hashlib
import json
import os
import stat

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.modules import lambda_package as lambda_package_module

HANDLER = "def lambda_handler(event, context):\n    return {'statusCode': 200}\n"


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "src"
    (root / "lib" / "__pycache__").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "handler.py").write_text(HANDLER)
    (root / "lib" / "util.py").write_text("VALUE = 1\n")
    (root / "lib" / "__pycache__" / "util.cpython-312.pyc").write_bytes(b"\x00")
    (root / "tests" / "test_handler.py").write_text("def test(): pass\n")
    (root / ".env").write_text("A=1\n")
    return root


def run_main(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            lambda_package_module.main()
    return json.loads(capsys.readouterr().out)


def test_build_then_unchanged(capsys, src, tmp_path):
    dest = tmp_path / "build" / "handler.zip"

    first = run_main(capsys, {"src": str(src), "dest": str(dest)})
    data = dest.read_bytes()
    assert first["changed"] is True
    assert first["dest"] == str(dest)
    assert first["files"] == ["handler.py", "lib/util.py"]
    assert first["size"] == len(data)
    assert first["sha256"] == hashlib.sha256(data).hexdigest()
    assert first["code_sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert "diff" not in first

    for path in (src / "handler.py", src / "lib" / "util.py"):
        os.utime(str(path), (2000000000, 2000000000))
    second = run_main(capsys, {"src": str(src), "dest": str(dest)})
    assert second["changed"] is False
    assert second["sha256"] == first["sha256"]
    assert second["code_sha256"] == first["code_sha256"]
    assert dest.read_bytes() == data


def test_check_mode_does_not_write(capsys, src, tmp_path):
    dest = tmp_path / "build" / "handler.zip"
    result = run_main(capsys, {"src": str(src), "dest": str(dest), "_ansible_check_mode": True, "_ansible_diff": True})
    assert result["changed"] is True
    assert not dest.exists()
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["files"] == ["handler.py", "lib/util.py"]
    assert result["diff"]["after"]["sha256"] == result["sha256"]

    # The prediction is what a real run writes.
    real = run_main(capsys, {"src": str(src), "dest": str(dest)})
    assert real["sha256"] == result["sha256"]
    again = run_main(capsys, {"src": str(src), "dest": str(dest), "_ansible_check_mode": True})
    assert again["changed"] is False


def test_excludes_and_mode(capsys, src, tmp_path):
    dest = tmp_path / "all.zip"
    result = run_main(capsys, {"src": str(src), "dest": str(dest), "excludes": ["__pycache__"], "mode": "0600"})
    assert result["changed"] is True
    assert result["files"] == [".env", "handler.py", "lib/util.py", "tests/test_handler.py"]
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_mode_change_only(capsys, src, tmp_path):
    dest = tmp_path / "handler.zip"
    run_main(capsys, {"src": str(src), "dest": str(dest)})
    result = run_main(capsys, {"src": str(src), "dest": str(dest), "mode": "0640", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["diff"]["before"]["mode"] == "0644"
    assert result["diff"]["after"]["mode"] == "0640"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o640


def test_same_bytes_as_another_copy(capsys, src, tmp_path):
    one = run_main(capsys, {"src": str(src), "dest": str(tmp_path / "one.zip")})
    two = run_main(capsys, {"src": str(src), "dest": str(tmp_path / "two.zip")})
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    assert one["code_sha256"] == two["code_sha256"]


@pytest.mark.parametrize(
    "relative, message",
    [
        ("missing", "src {src} does not exist"),
        ("handler.py", "src {src} is not a directory"),
        # Only a compiled file, left out by the default excludes
        (
            "lib/__pycache__",
            "src {src} contains no file to package (after excludes: __pycache__, *.pyc, *.pyo, tests, .*)",
        ),
    ],
)
def test_src_problems(capsys, src, tmp_path, relative, message):
    path = src / relative
    dest = tmp_path / "out.zip"
    result = run_main(capsys, {"src": str(path), "dest": str(dest)})
    assert result["failed"] is True
    assert result["msg"] == message.format(src=path)
    assert not dest.exists()


def test_invalid_options_fail_before_reading(capsys, tmp_path):
    result = run_main(
        capsys, {"src": str(tmp_path / "missing"), "dest": str(tmp_path / "out.zip"), "excludes": ["a/b"], "mode": "u+rw"}
    )
    assert result["failed"] is True
    assert result["msg"] == (
        "excludes[0] 'a/b' contains '/': patterns are matched against each path component; "
        "mode must be an octal string such as '0644': got 'u+rw'"
    )


def test_dest_is_a_directory(capsys, src, tmp_path):
    result = run_main(capsys, {"src": str(src), "dest": str(tmp_path)})
    assert result["failed"] is True
    assert result["msg"] == f"dest {tmp_path} is a directory"


def test_dest_inside_src(capsys, src):
    result = run_main(capsys, {"src": str(src), "dest": str(src / "dist" / "pkg.zip")})
    assert result["failed"] is True
    assert "must not be inside src" in result["msg"]
    assert not (src / "dist").exists()


def test_write_error_is_reported(capsys, src, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_main(capsys, {"src": str(src), "dest": str(blocker / "sub" / "pkg.zip")})
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to package {src} into {blocker / 'sub' / 'pkg.zip'}: ")
