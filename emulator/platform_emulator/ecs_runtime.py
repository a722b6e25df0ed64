"""ECS services that run, and load-balancer target groups that see their tasks.

moto keeps ECS services as records: a new service reports ``runningCount`` 0
and a deployment ``IN_PROGRESS`` forever, an ``UpdateService`` with a new task
definition leaves the deployment on the old one (and stores a
``family:revision`` as given instead of the ARN), and nothing is ever
registered in the service's target groups.  A blue/green release needs all of
it: it waits for the idle colour to be stable and its targets healthy.

:func:`install` makes services behave as Fargate does once its tasks are up:

* after ``CreateService`` / ``UpdateService`` the service runs its desired
  count, has one ``PRIMARY`` deployment on its current task definition
  (``COMPLETED``) and its task definition is reported as an ARN;
* each target group of the service holds one ``ip`` target per running task
  (addresses derived from the service name, registered on the container
  port); ``DeleteService`` deregisters them;
* ``POST /_emulator/elbv2/target-health`` with ``{"target_group_arn": ARN,
  "state": "unhealthy"}`` makes every target of that group report the state
  (``healthy`` restores, ``DELETE`` on the same path clears every override),
  so a test can fail a colour's health checks.

The emulator sees no traffic, so health is whatever the test says it is.

It also gives application load balancers the attributes AWS reports for a
new one (moto leaves out access logs, idle timeout, HTTP/2 and the routing
attributes, which makes ``amazon.aws.elb_application_lb`` fail on a new
load balancer).
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.utils import utcnow

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]

PATH = "/_emulator/elbv2/target-health"
TARGET_STATES = ("healthy", "unhealthy", "initial", "draining", "unavailable", "unused")
REASONS = {
    "unhealthy": ("Target.FailedHealthChecks", "Health checks failed"),
    "initial": ("Elb.InitialHealthChecking", "Initial health checks in progress"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unavailable": ("Elb.InternalError", "Health checks unavailable"),
    "unused": ("Target.NotInUse", "Target group is not configured to receive traffic"),
}
MAX_BODY_BYTES = 16 * 1024
FIX_MARK = "__platform_emulator_fix__"

_lock = threading.Lock()
_health_overrides: dict[str, str] = {}
# service ARN -> {target group ARN: [target ids registered for the service]}
_service_targets: dict[str, dict[str, list[str]]] = {}


class RequestError(Exception):
    """A request the endpoint refuses: *message* is returned with HTTP *status*."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def task_addresses(service_arn: str, count: int) -> list[str]:
    """``count`` private addresses for the tasks of a service, stable per service."""
    digest = hashlib.sha256(service_arn.encode()).digest()
    return [f"10.{digest[0]}.{digest[1]}.{(digest[2] + index) % 250 + 4}" for index in range(count)]


def parse_override(payload: Any) -> tuple[str, str]:
    """Validate a POST body: ``(target_group_arn, state)``."""
    if not isinstance(payload, dict):
        raise RequestError("the body must be a JSON object with target_group_arn and state")
    arn = payload.get("target_group_arn")
    state = payload.get("state")
    if not isinstance(arn, str) or ":targetgroup/" not in arn:
        raise RequestError("target_group_arn must be a target group ARN")
    if state not in TARGET_STATES:
        raise RequestError(f"state must be one of {', '.join(TARGET_STATES)}")
    return arn, state


def set_health(target_group_arn: str, state: str) -> None:
    """Make every target of the group report *state* (``healthy`` clears the override)."""
    with _lock:
        if state == "healthy":
            _health_overrides.pop(target_group_arn, None)
        else:
            _health_overrides[target_group_arn] = state


def clear_health() -> None:
    """Forget every health override."""
    with _lock:
        _health_overrides.clear()


def _elbv2_backend(account_id: str, region: str) -> Any:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account_id][region]


def _task_definition_arn(backend: Any, value: Any) -> Any:
    if not value or str(value).startswith("arn:"):
        return value
    try:
        return backend.describe_task_definition(value).arn
    except Exception:  # pylint: disable=broad-except
        return value


def _sync_targets(service: Any, running: int) -> None:
    """Register one ip target per running task in each of the service's target groups."""
    elbv2 = _elbv2_backend(service._account_id, service.region_name)  # pylint: disable=protected-access
    owned = _service_targets.setdefault(service.arn, {})
    wanted_groups = {}
    for balancer in service.load_balancers or []:
        arn = balancer.get("targetGroupArn")
        if arn:
            wanted_groups[arn] = balancer.get("containerPort")
    for arn in list(owned):
        group = elbv2.target_groups.get(arn)
        if group is not None:
            for target_id in owned[arn]:
                group.targets.pop(target_id, None)
        del owned[arn]
    for arn, port in wanted_groups.items():
        group = elbv2.target_groups.get(arn)
        if group is None:
            continue
        ids = task_addresses(service.arn, running)
        for target_id in ids:
            group.targets[target_id] = {"Id": target_id, "Port": port or group.port}
        owned[arn] = ids


def settle(backend: Any, service: Any) -> None:
    """Bring a service to the state ECS reaches once its tasks are running."""
    cluster = service.cluster_name if hasattr(service, "cluster_name") else None
    running = max(int(service.desired_count or 0), 0)
    previous_running, previous_pending = service.running_count or 0, service.pending_count or 0
    service.task_definition = _task_definition_arn(backend, service.task_definition)
    service.running_count = running
    service.pending_count = 0
    clusters = getattr(backend, "clusters", {})
    if cluster in clusters:
        backend.update_cluster_resources(clusters[cluster], running - previous_running, task_state="RUNNING")
        backend.update_cluster_resources(clusters[cluster], -previous_pending, task_state="PENDING")
    if (service.deployment_controller or {}).get("type", "ECS") == "ECS" and service.deployments:
        deployment = service.deployments[0]
        if deployment.get("taskDefinition") != service.task_definition:
            deployment["createdAt"] = utcnow()
        deployment.update(
            {
                "status": "PRIMARY",
                "taskDefinition": service.task_definition,
                "desiredCount": running,
                "runningCount": running,
                "pendingCount": 0,
                "failedTasks": 0,
                "rolloutState": "COMPLETED",
                "rolloutStateReason": f"ECS deployment {deployment['id']} completed.",
                "updatedAt": utcnow(),
            }
        )
        del service.deployments[1:]
    with _lock:
        _sync_targets(service, running)


def _release_targets(service: Any) -> None:
    with _lock:
        _sync_targets(service, 0)
        _service_targets.pop(service.arn, None)


def _mark(wrapper: Callable[..., Any]) -> Callable[..., Any]:
    setattr(wrapper, FIX_MARK, True)
    return wrapper


def _settled_after(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = method(self, *args, **kwargs)
        settle(self, service)
        return service

    return _mark(wrapper)


def _targets_released_after(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = method(self, *args, **kwargs)
        service.running_count = 0
        if service.deployments:
            service.deployments[0].update({"runningCount": 0, "desiredCount": 0})
        _release_targets(service)
        return service

    return _mark(wrapper)


def _health_with_override(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        status = method(self, target, ec2_backend)
        override = _health_overrides.get(self.arn)
        if override and status.status == "healthy":
            status.status = override
            status.reason, status.description = REASONS.get(override, (None, None))
        return status

    return _mark(wrapper)


# What DescribeLoadBalancerAttributes returns for a new application load balancer on AWS.
APPLICATION_DEFAULT_ATTRIBUTES = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "load_balancing.cross_zone.enabled": "true",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
}


def _with_application_defaults(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        method(self, *args, **kwargs)
        if self.type == "application":
            self.attrs = {**APPLICATION_DEFAULT_ATTRIBUTES, **self.attrs, "load_balancing.cross_zone.enabled": "true"}

    return _mark(wrapper)


def _wrap(owner: Any, name: str, decorator: Callable[..., Any]) -> None:
    method = getattr(owner, name)
    if not getattr(method, FIX_MARK, False):
        setattr(owner, name, decorator(method))


def install() -> None:
    """Patch moto's ECS and ELBv2 models (idempotent)."""
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup

    _wrap(EC2ContainerServiceBackend, "create_service", _settled_after)
    _wrap(EC2ContainerServiceBackend, "update_service", _settled_after)
    _wrap(EC2ContainerServiceBackend, "delete_service", _targets_released_after)
    _wrap(FakeTargetGroup, "health_for", _health_with_override)
    _wrap(FakeLoadBalancer, "__init__", _with_application_defaults)


def _read_json(environ: WSGIEnviron) -> Any:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise RequestError("invalid Content-Length") from None
    if length > MAX_BODY_BYTES:
        raise RequestError(f"body larger than {MAX_BODY_BYTES} bytes", status=413)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise RequestError("the body is not valid JSON") from None


def handle(method: str, environ: WSGIEnviron) -> tuple[int, dict[str, Any]]:
    """Answer one request to :data:`PATH`: ``(status, payload)``."""
    if method == "POST":
        arn, state = parse_override(_read_json(environ))
        set_health(arn, state)
        return 200, {"target_group_arn": arn, "state": state}
    if method == "DELETE":
        clear_health()
        return 200, {"cleared": True}
    if method == "GET":
        with _lock:
            return 200, {"overrides": dict(_health_overrides)}
    raise RequestError(f"{method} not allowed on {PATH} (use GET, POST or DELETE)", status=405)


class TargetHealthEndpoint:
    """WSGI middleware answering :data:`PATH`; every other request goes to *app*."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        """WSGI entry point."""
        if environ.get("PATH_INFO", "").rstrip("/") != PATH:
            return self.app(environ, start_response)
        try:
            status, payload = handle(environ.get("REQUEST_METHOD", "GET"), environ)
        except RequestError as error:
            status, payload = error.status, {"message": error.message}
        body = json.dumps(payload).encode()
        reason = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 413: "Content Too Large"}[status]
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]
