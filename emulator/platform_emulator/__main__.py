"""Command line: ``python -m platform_emulator {start,stop,status,serve}``.

* ``start``  - run ``serve`` in the background, wait until healthy, print the URL
* ``stop``   - stop the background emulator (SIGTERM, then SIGKILL)
* ``status`` - print running/stopped; exit 0 when running, 3 when stopped
* ``serve``  - run the emulator in the foreground

``start`` prints ``emulator started at <url> ...`` only when it really started
one (roles/common keys its ``changed_when`` on the word "started"), and
``emulator already running at <url> ...`` when it did not.  Errors go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE_PARENT = Path(__file__).resolve().parent.parent  # .../emulator
REPO_ROOT = PACKAGE_PARENT.parent
DEFAULT_HOST = "127.0.0.1"
EXIT_STOPPED = 3
LOG_TAIL_LINES = 25


@dataclass(frozen=True)
class Instance:
    """One emulator: where it listens and where its pid and log files live."""

    host: str
    port: int
    state_dir: Path

    @property
    def pid_file(self) -> Path:
        """``<state-dir>/emulator-<port>.pid``"""
        return self.state_dir / f"emulator-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        """``<state-dir>/emulator-<port>.log``"""
        return self.state_dir / f"emulator-{self.port}.log"

    @property
    def lock_file(self) -> Path:
        """Serialises start/stop of this instance between processes."""
        return self.state_dir / f"emulator-{self.port}.lock"

    @property
    def connect_host(self) -> str:
        """The address clients connect to (loopback when bound to all interfaces)."""
        return "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host

    @property
    def url(self) -> str:
        """The endpoint URL clients should use."""
        host = self.connect_host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


# --------------------------------------------------------------------------
# Processes, health and files
# --------------------------------------------------------------------------


def warn(message: str) -> None:
    """A message on stderr."""
    print(message, file=sys.stderr)


def read_pid(pid_file: Path) -> int | None:
    """The pid in *pid_file*, or ``None`` if absent or garbled."""
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def write_pid(pid_file: Path, pid: int) -> None:
    """Write *pid_file* atomically."""
    tmp = pid_file.with_suffix(".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(pid_file)


def is_alive(pid: int) -> bool:
    """Whether *pid* is a live process (zombies, which nobody reaped yet, are not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def is_emulator_process(pid: int) -> bool:
    """Guard against a recycled pid: where /proc exists, check the command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (e.g. macOS): trust the pid file
    return b"platform_emulator" in argv and b"serve" in argv


def running_pid(instance: Instance) -> int | None:
    """The pid of this instance's emulator if its pid file names a live one."""
    pid = read_pid(instance.pid_file)
    return pid if pid and is_alive(pid) and is_emulator_process(pid) else None


def is_healthy(url: str, timeout: float = 1.0) -> bool:
    """Whether ``<url>/_emulator/health`` answers ``{"status": "ok"}`` (no proxies)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_emulator/health", timeout=timeout) as response:
            return response.status == 200 and json.load(response).get("status") == "ok"
    except (OSError, ValueError, AttributeError):
        return False


def port_in_use(instance: Instance) -> bool:
    """Whether something accepts connections on the instance's port."""
    try:
        with socket.create_connection((instance.connect_host, instance.port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll *condition* until it is true (``True``) or *timeout* passes (``False``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def terminate(pid: int, timeout: float) -> bool:
    """SIGTERM *pid*, SIGKILL it after *timeout*; whether it is gone."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if wait_until(lambda: not is_alive(pid), wait):
            return True
    return False


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last *lines* lines of *path* (empty if unreadable)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def locked(instance: Instance) -> Iterator[None]:
    """Hold an exclusive lock on the instance so concurrent start/stop don't race."""
    instance.state_dir.mkdir(parents=True, exist_ok=True)
    with open(instance.lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def launch(instance: Instance) -> subprocess.Popen[bytes]:
    """Start ``serve`` detached (own session), output to the log file."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "platform_emulator", "serve"]
    command += ["--host", instance.host, "--port", str(instance.port)]
    with open(instance.log_file, "wb") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------


def fail(message: str, instance: Instance | None = None) -> int:
    """Report an error (with the log tail when there is one) and return exit code 1."""
    warn(f"error: {message}")
    tail = log_tail(instance.log_file) if instance else ""
    if tail:
        warn(f"--- last lines of {instance.log_file} ---\n{tail}")
    return 1


def cmd_start(args: argparse.Namespace) -> int:
    """Start the emulator in the background unless it already runs."""
    instance = Instance(args.host, args.port, args.state_dir)
    with locked(instance):
        pid = running_pid(instance)
        if pid is not None:
            if not wait_until(lambda: is_healthy(instance.url), args.timeout):
                return fail(f"emulator pid {pid} runs but {instance.url} is not healthy", instance)
            print(f"emulator already running at {instance.url} (pid {pid})")
            return 0
        instance.pid_file.unlink(missing_ok=True)
        if port_in_use(instance):
            if is_healthy(instance.url):
                print(
                    f"emulator already running at {instance.url} (not managed from {instance.state_dir})"
                )
                return 0
            return fail(
                f"port {instance.port} is already in use by another program (not the "
                "emulator); pick another port with --port or EMULATOR_PORT"
            )
        return _start_new(instance, args.timeout)


def _start_new(instance: Instance, timeout: float) -> int:
    """Launch, record the pid, and wait for health (cleaning up on failure)."""
    process = launch(instance)
    write_pid(instance.pid_file, process.pid)
    wait_until(lambda: process.poll() is not None or is_healthy(instance.url), timeout)
    if process.poll() is None and is_healthy(instance.url):
        print(f"emulator started at {instance.url} (pid {process.pid}, log {instance.log_file})")
        return 0
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    instance.pid_file.unlink(missing_ok=True)
    return fail(f"emulator did not become healthy at {instance.url} within {timeout:g}s", instance)


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop the background emulator; fine when nothing runs."""
    instance = Instance(DEFAULT_HOST, args.port, args.state_dir)
    with locked(instance):
        pid = read_pid(instance.pid_file)
        if pid is None or not is_alive(pid):
            print("emulator is not running")
        elif not is_emulator_process(pid):
            warn(f"pid {pid} in {instance.pid_file} is not the emulator; left it alone")
        elif terminate(pid, args.timeout):
            print(f"emulator stopped (pid {pid})")
        else:
            return fail(f"could not stop emulator pid {pid}")
        instance.pid_file.unlink(missing_ok=True)
        return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print running/stopped; exit 0 when running, 3 when stopped."""
    instance = Instance(args.host, args.port, args.state_dir)
    pid = running_pid(instance)
    if pid is None:
        print("stopped")
        return EXIT_STOPPED
    health = "healthy" if is_healthy(instance.url) else "not answering health checks"
    print(f"running (pid {pid}) at {instance.url}, {health}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the emulator in the foreground."""
    from .server import serve  # imports moto: only needed here

    serve(args.host, args.port)
    return 0


def port_number(text: str) -> int:
    """argparse type for a TCP port."""
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, got {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (defaults come from the environment)."""
    parser = argparse.ArgumentParser(
        prog="python -m platform_emulator", description="Local AWS emulator (moto + extensions)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    state_dir = os.environ.get("EMULATOR_STATE_DIR") or str(REPO_ROOT / ".emulator")
    specs = (
        ("start", cmd_start, "start in the background and wait until healthy", 30.0),
        ("stop", cmd_stop, "stop the background emulator", 10.0),
        ("status", cmd_status, "show whether it runs (exit 0) or not (exit 3)", None),
        ("serve", cmd_serve, "run in the foreground", None),
    )
    for name, func, help_text, timeout in specs:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(func=func)
        command.add_argument(
            "--port",
            type=port_number,
            default=os.environ.get("EMULATOR_PORT", "5000"),
            help="port (default: $EMULATOR_PORT or 5000)",
        )
        if name != "stop":
            command.add_argument("--host", default=DEFAULT_HOST, help="bind address")
        if name != "serve":
            command.add_argument(
                "--state-dir",
                type=Path,
                default=Path(state_dir),
                help="pid/log directory (default: $EMULATOR_STATE_DIR or <repo>/.emulator)",
            )
        if timeout is not None:
            command.add_argument(
                "--timeout", type=float, default=timeout, help=f"seconds (default {timeout:g})"
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse *argv* and run the command; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
