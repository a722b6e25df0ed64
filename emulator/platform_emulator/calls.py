"""Request-counting WSGI middleware.

Every AWS request that passes through is recorded as a :class:`Call` (service,
operation, mutating or not) before it is handed to moto.  Tests use this to
assert, for example, that a second playbook run made no mutating calls.

The middleware also answers its own endpoints, which never reach moto:

* ``GET /_emulator/health`` -> ``{"status": "ok"}``
* ``GET /_emulator/calls`` -> ``{"total": N, "mutating": M, "calls": [...]}``
* ``POST /_emulator/calls/reset`` or ``DELETE /_emulator/calls`` -> clears the list
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]

READ_ONLY_OPERATION = re.compile(
    r"^(Describe|Get|List|Head|Search|Lookup|Query|Scan|Select|Check|Validate|BatchGet)"
    r"(?=[A-Z0-9_]|$)"  # a whole CamelCase word: "CheckoutLicense" is not a "Check"
)
READ_ONLY_METHODS = ("GET", "HEAD")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/,\s]+)/aws4_request")
# Smithy RPC v2 CBOR (e.g. CloudWatch in current botocore): /service/<Svc>/operation/<Op>
RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")
# REST services whose first path segment is the operation, e.g. X-Ray's /GetSamplingRules
REST_OPERATION_SEGMENT = re.compile(r"^/([A-Z][A-Za-z0-9]+)(?:/|$)")
UNCOUNTED_PREFIXES = ("/moto-api", "/favicon.ico")
OWN_PREFIX = "/_emulator/"


@dataclass(frozen=True)
class Call:
    """One recorded AWS call."""

    service: str | None
    operation: str
    mutating: bool


# --------------------------------------------------------------------------
# Classification (pure functions)
# --------------------------------------------------------------------------


def is_read_only(operation_name: str | None, method: str) -> bool:
    """Whether an operation only reads.

    By name when there is one (``DescribeVpcs``, ``BatchGetItem``...); REST
    calls whose path names no operation fall back to the HTTP method.
    """
    if operation_name:
        return READ_ONLY_OPERATION.match(operation_name) is not None
    return method.upper() in READ_ONLY_METHODS


def service_from_authorization(authorization: str | None) -> str | None:
    """The signing service from a SigV4 ``Authorization`` header's credential scope."""
    match = CREDENTIAL_SCOPE.search(authorization or "")
    return match.group(1) if match else None


def operation_of(
    method: str, path: str, query_string: str = "", target: str | None = None, form_body: str = ""
) -> tuple[str, str | None]:
    """Return ``(label, operation_name)`` for a request.

    * query protocol: ``Action`` from the query string or the form body;
    * JSON protocol: the part of ``X-Amz-Target`` after the dot;
    * RPC v2 CBOR: the operation in the path;
    * REST protocols: the label is ``"<METHOD> <path>"``; the name is the first
      path segment when that is a CamelCase word, else ``None``.
    """
    actions = parse_qs(query_string).get("Action") or parse_qs(form_body).get("Action")
    if actions:
        return actions[0], actions[0]
    if target:
        name = target.rsplit(".", 1)[-1]
        return name, name
    rpc = RPC_V2_PATH.match(path)
    if rpc:
        return rpc.group(1), rpc.group(1)
    rest = REST_OPERATION_SEGMENT.match(path)
    return f"{method} {path}", rest.group(1) if rest else None


def classify(
    method: str,
    path: str,
    query_string: str = "",
    authorization: str | None = None,
    target: str | None = None,
    form_body: str = "",
) -> Call:
    """Describe a request as a :class:`Call`."""
    label, name = operation_of(method, path, query_string, target, form_body)
    return Call(
        service=service_from_authorization(authorization),
        operation=label,
        mutating=not is_read_only(name, method),
    )


# --------------------------------------------------------------------------
# WSGI glue
# --------------------------------------------------------------------------


def read_form_body(environ: WSGIEnviron) -> str:
    """Read a form-encoded request body and put it back for the wrapped app."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return ""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    if length <= 0:
        return ""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body.decode("utf-8", "replace")


def call_from_environ(environ: WSGIEnviron) -> Call:
    """Describe the request in a WSGI environ as a :class:`Call`."""
    return classify(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", ""),
        query_string=environ.get("QUERY_STRING", ""),
        authorization=environ.get("HTTP_AUTHORIZATION"),
        target=environ.get("HTTP_X_AMZ_TARGET"),
        form_body=read_form_body(environ),
    )


class CallLog:
    """A thread-safe, ordered list of recorded calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def record(self, call: Call) -> None:
        """Append *call*."""
        with self._lock:
            self._calls.append(call)

    def reset(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()

    def snapshot(self) -> dict[str, Any]:
        """``{"total": N, "mutating": M, "calls": [...]}`` in recording order."""
        with self._lock:
            calls = [asdict(c) for c in self._calls]
        return {
            "total": len(calls),
            "mutating": sum(c["mutating"] for c in calls),
            "calls": calls,
        }


class CallCountingMiddleware:
    """Records AWS calls and answers ``/_emulator/*``; everything else goes to *app*."""

    def __init__(self, app: WSGIApp, log: CallLog | None = None) -> None:
        self.app = app
        self.log = log or CallLog()
        self._routes: dict[tuple[str, str], Callable[[], tuple[int, Any]]] = {
            ("GET", "/_emulator/health"): lambda: (200, {"status": "ok"}),
            ("GET", "/_emulator/calls"): lambda: (200, self.log.snapshot()),
            ("POST", "/_emulator/calls/reset"): self._reset,
            ("DELETE", "/_emulator/calls"): self._reset,
        }

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        """WSGI entry point."""
        path = environ.get("PATH_INFO", "")
        if path.startswith(OWN_PREFIX):
            return self._serve_own(environ, start_response)
        if not path.startswith(UNCOUNTED_PREFIXES):
            self.log.record(call_from_environ(environ))
        return self.app(environ, start_response)

    def _reset(self) -> tuple[int, Any]:
        """Handler of the reset endpoints."""
        self.log.reset()
        return 200, {"status": "ok"}

    def _serve_own(self, environ: WSGIEnviron, start_response: StartResponse) -> list[bytes]:
        """Answer one of the middleware's own endpoints (or 404/405)."""
        method, path = environ.get("REQUEST_METHOD", "GET"), environ["PATH_INFO"].rstrip("/")
        handler = self._routes.get((method, path))
        if handler:
            status, payload = handler()
        elif any(p == path for _, p in self._routes):
            status, payload = 405, {"message": f"{method} not allowed on {path}"}
        else:
            status, payload = 404, {"message": f"unknown emulator endpoint {path}"}
        body = json.dumps(payload).encode()
        reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}[status]
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]
