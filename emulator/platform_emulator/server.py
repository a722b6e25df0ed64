"""Build the emulator's WSGI app (moto + extensions) and serve it."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

from . import compat, ecs_runtime, rds_snapshots, xray_sampling
from .calls import CallCountingMiddleware

DEFAULT_HOST = "127.0.0.1"


def build_app() -> ecs_runtime.TargetHealthEndpoint:
    """moto's server app with our extensions installed, wrapped in the call counter.

    The environment is set before anything is built: moto reads
    ``MOTO_IAM_LOAD_MANAGED_POLICIES`` when it creates an IAM backend, and the
    X-Ray routes must be registered before moto creates its xray app.  The
    RDS snapshot seeding and target-health endpoints sit outside the call
    counter, which answers every other ``/_emulator/*`` path itself.
    """
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    xray_sampling.install()
    compat.install()
    ecs_runtime.install()
    counter = CallCountingMiddleware(DomainDispatcherApplication(create_backend_app))
    return ecs_runtime.TargetHealthEndpoint(rds_snapshots.install(counter))


def _exit_on_signal(signum: int, frame: Any) -> None:
    """Turn SIGTERM/SIGINT into a clean ``SystemExit``."""
    sys.exit(0)


def serve(host: str = DEFAULT_HOST, port: int = 5000) -> None:
    """Run the emulator in the foreground until SIGTERM/SIGINT."""
    # moto calls itself back on MOTO_PORT (Lambda, CloudFormation custom resources).
    os.environ.setdefault("MOTO_PORT", str(port))
    app = build_app()
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    run_simple(host, port, app, threaded=True, request_handler=MotoRequestHandler)
