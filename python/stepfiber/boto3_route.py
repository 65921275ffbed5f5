"""``stepfiber.patch_boto3``: route real boto3/botocore Step Functions clients to a local engine.

Inside ``with stepfiber.patch_boto3() as sfn:`` every botocore ``stepfunctions``
client created (through ``boto3.client``, ``boto3.Session().client`` or
``botocore.session``) sends its requests to ``sfn``'s engine in-process, with no
socket. The route sits on botocore's ``before-send.sfn`` event: botocore has
already serialized and signed the request; the handler hands its
``X-Amz-Target`` and body to :meth:`SFNClient.call_api` (the same operation
layer the HTTP endpoint serves) and returns the answer as a
``botocore.awsrequest.AWSResponse``, so botocore's own parser, retry handler and
exception mapping run unchanged. Other services are untouched.

Semantics:

* A client is bound to the route that was active when it was created -- the
  innermost route entered by the creating thread, or, in a thread that entered
  none, the route entered last by any thread -- or to the route whose
  :meth:`patch_boto3.patch_client` was called on it. Once its route has exited
  it falls back to the route active then, and with none it talks to AWS again.
* Fake credentials (``AWS_ACCESS_KEY_ID=testing`` ...) are put into the
  environment while any route is active when none can be found without a
  network call (environment, ``AWS_PROFILE``, shared credentials/config file),
  and a region (the engine's) when none is configured. The environment is
  restored when the last route exits.
* Routes nest and may be used from several threads at once; each ``with``
  block's clients talk to its own engine.
"""

from __future__ import annotations

import functools
import inspect
import io
import os
import threading
import uuid
import weakref
from typing import Any, Callable, Iterator, TypeVar

from .client import SFNClient
from .client import client as _new_client

__all__ = ["active_client", "patch_boto3"]

F = TypeVar("F", bound=Callable[..., Any])

#: The botocore event the route listens on (``before-send.<service id>``).
EVENT = "before-send.sfn"
#: ``unique_id`` of the route's handler on a client's event emitter (one per client).
_HANDLER_ID = "stepfiber.patch_boto3"
#: Content type of every AWS JSON 1.0 answer.
CONTENT_TYPE = "application/x-amz-json-1.0"
#: Fake credentials supplied when none are configured (never sent anywhere).
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

_lock = threading.RLock()
_active: list[patch_boto3] = []  # every active route, most recently entered last
_local = threading.local()  # .stack: the routes this thread entered, innermost last
_saved_env: dict[str, str | None] | None = None
_original_create_client: Callable[..., Any] | None = None


def _botocore() -> Any:
    """Import botocore, with a clear error when it is missing."""
    try:
        import botocore.awsrequest
        import botocore.session
    except ImportError as exc:  # pragma: no cover - botocore is a test dependency
        raise ImportError("stepfiber.patch_boto3 needs botocore (pip install boto3)") from exc
    return botocore


class _RawBody(io.BytesIO):
    """The response body as botocore reads it (``stream()``, ``read()``)."""

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        """Yield the body (botocore joins the chunks)."""
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _request_bytes(body: Any) -> bytes:
    """A prepared request's body as bytes (botocore gives bytes, str or a file)."""
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise TypeError(f"cannot route a request body of type {type(body).__name__}")


class _ClientHandler:
    """The ``before-send.sfn`` handler on one botocore client: it remembers its route."""

    def __init__(self, route: patch_boto3) -> None:
        self._route = weakref.ref(route)

    def __call__(self, request: Any, **_kwargs: Any) -> Any:
        """Answer ``request`` from the bound route's engine, or return None (go to AWS)."""
        route = self._route()
        if route is None or not route.active:
            route = _innermost()
        if route is None:
            return None
        return route.respond(request)


def _thread_stack() -> list[patch_boto3]:
    """The routes the current thread has entered (innermost last)."""
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def _innermost() -> patch_boto3 | None:
    """This thread's innermost active route; else the route entered last by any thread; else None."""
    with _lock:
        mine = [route for route in _thread_stack() if route.active]
        if mine:
            return mine[-1]
        return _active[-1] if _active else None


def active_client() -> SFNClient | None:
    """The engine client of the innermost active :func:`patch_boto3` route, or None.

    Handy inside a function decorated with ``@stepfiber.patch_boto3()``.
    """
    route = _innermost()
    return route.client if route is not None else None


def _bind(botocore_client: Any, route: patch_boto3) -> None:
    """(Re)register the route's handler on one botocore client's own event emitter."""
    events = botocore_client.meta.events
    events.unregister(EVENT, unique_id=_HANDLER_ID)
    events.register(EVENT, _ClientHandler(route), unique_id=_HANDLER_ID)


def _create_client_routed(self: Any, *args: Any, **kwargs: Any) -> Any:
    """``botocore.session.Session.create_client`` while a route is active."""
    assert _original_create_client is not None
    created = _original_create_client(self, *args, **kwargs)
    route = _innermost()
    if route is not None and _is_sfn(created):
        _bind(created, route)
    return created


def _is_sfn(botocore_client: Any) -> bool:
    """True for a botocore Step Functions client."""
    meta = getattr(botocore_client, "meta", None)
    model = getattr(meta, "service_model", None)
    return getattr(model, "service_name", None) == "stepfunctions"


def _has_credentials() -> bool:
    """Whether botocore can find credentials without a network call (IMDS is not asked)."""
    if os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"):
        return True
    botocore = _botocore()
    session = botocore.session.Session()
    try:
        scoped = session.get_scoped_config()
    except Exception:  # a malformed config file: let botocore report it later
        return False
    keys = ("aws_access_key_id", "credential_process", "role_arn", "sso_session", "sso_start_url",
            "web_identity_token_file")
    if any(scoped.get(k) for k in keys):
        return True
    path = os.path.expanduser(session.get_config_variable("credentials_file") or "~/.aws/credentials")
    if os.path.isfile(path):
        try:
            from botocore.configloader import raw_config_parse

            profile = session.get_config_variable("profile") or "default"
            return bool(raw_config_parse(path).get(profile, {}).get("aws_access_key_id"))
        except Exception:
            return False
    return False


def _has_region() -> bool:
    """Whether botocore has a region from the environment or the config file."""
    if os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION"):
        return True
    try:
        return bool(_botocore().session.Session().get_config_variable("region"))
    except Exception:
        return False


def _set_env(values: dict[str, str]) -> None:
    """Set environment variables, remembering the previous values (first route only)."""
    global _saved_env
    assert _saved_env is not None
    for key, value in values.items():
        _saved_env.setdefault(key, os.environ.get(key))
        os.environ[key] = value


def _restore_env() -> None:
    """Put back every environment variable the routes changed."""
    global _saved_env
    for key, value in (_saved_env or {}).items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _saved_env = None


class patch_boto3:  # noqa: N801 - used like a function, as moto's mock_aws
    """Route botocore Step Functions clients to a stepfiber engine, in-process.

    Use it as a context manager (the value is the engine's :class:`SFNClient`)::

        with stepfiber.patch_boto3() as sfn:
            sfn.register_task_handler(...)                   # stepfiber extensions
            sf = boto3.client("stepfunctions")               # real boto3, no socket
            arn = sf.create_state_machine(...)["stateMachineArn"]

    or as a decorator (``@stepfiber.patch_boto3()`` or ``@stepfiber.patch_boto3``),
    which enters a fresh route, with a fresh engine, for every call;
    :func:`stepfiber.boto3_route.active_client` gives that engine's client.

    Args:
        client: the :class:`SFNClient` whose engine answers. ``None`` (default)
            creates a fresh ``stepfiber.client(**client_options)`` on entry and
            closes it on exit; a client you pass stays open.
        **client_options: passed to :func:`stepfiber.client` when ``client`` is
            None (e.g. ``manual_clock=True``).

    Clients created before entering are not routed unless passed to
    :meth:`patch_client`.
    """

    def __init__(self, client: SFNClient | Callable[..., Any] | None = None, **client_options: Any) -> None:
        """Prepare a route; nothing is patched until it is entered."""
        self._decorated: Callable[..., Any] | None = None
        if callable(client) and not isinstance(client, SFNClient):  # bare @patch_boto3
            self._decorated, client = client, None
        if client is not None and not isinstance(client, SFNClient):
            raise TypeError(f"patch_boto3(client=...) takes a stepfiber.SFNClient, not {type(client).__name__}")
        if client is not None and client_options:
            raise TypeError("pass either a client or options for a new one, not both")
        _botocore()  # fail early and clearly without botocore
        self._given = client
        self._options = client_options
        self._client: SFNClient | None = client
        self._entered = False
        self._exited = False
        self._region = "us-east-1"
        self._owner_stack: list[patch_boto3] = []
        if self._decorated is not None:
            functools.update_wrapper(self, self._decorated)

    # --- state --------------------------------------------------------------------

    @property
    def client(self) -> SFNClient:
        """The engine client answering this route's requests (set once entered)."""
        if self._client is None:
            raise RuntimeError("patch_boto3 has not been entered; its client does not exist yet")
        return self._client

    @property
    def active(self) -> bool:
        """True between entering and exiting."""
        return self._entered and not self._exited

    # --- context manager ----------------------------------------------------------

    def __enter__(self) -> SFNClient:
        """Activate the route; returns the engine's :class:`SFNClient`."""
        if self._entered:
            raise RuntimeError("a patch_boto3 object can be entered once; create another one")
        if self._client is None:
            self._client = _new_client(**self._options)
        if self._client.closed:
            raise RuntimeError(f"{self._client!r} is closed; patch_boto3 needs an open client")
        self._region = getattr(self._client, "_region", "us-east-1")
        self._activate()
        self._entered = True
        return self._client

    def __exit__(self, *exc_info: object) -> None:
        """Deactivate the route; close the engine if the route created it."""
        if not self.active:
            return
        self._exited = True
        self._deactivate()
        if self._given is None and self._client is not None:
            self._client.close()

    def _activate(self) -> None:
        global _saved_env, _original_create_client
        botocore = _botocore()
        with _lock:
            if not _active:
                _saved_env = {}
                env: dict[str, str] = {}
                if not _has_credentials():
                    env.update(FAKE_CREDENTIALS)
                if not _has_region():
                    env["AWS_DEFAULT_REGION"] = self._region
                _set_env(env)
                _original_create_client = botocore.session.Session.create_client
                botocore.session.Session.create_client = _create_client_routed
            _active.append(self)
            self._owner_stack = _thread_stack()
            self._owner_stack.append(self)

    def _deactivate(self) -> None:
        global _original_create_client
        botocore = _botocore()
        with _lock:
            _active.remove(self)
            if self in self._owner_stack:
                self._owner_stack.remove(self)
            if not _active:
                if _original_create_client is not None:
                    botocore.session.Session.create_client = _original_create_client
                    _original_create_client = None
                _restore_env()

    # --- decorator ----------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """As ``@patch_boto3``: run the function in a fresh route. As
        ``@patch_boto3(...)``: decorate the function given."""
        if self._decorated is not None:
            return self._wrap(self._decorated)(*args, **kwargs)
        if len(args) != 1 or kwargs or not callable(args[0]):
            raise TypeError("patch_boto3(...) decorates one function: @stepfiber.patch_boto3()")
        return self._wrap(args[0])

    def _fresh(self) -> patch_boto3:
        """A new route with this one's configuration (each decorated call gets one)."""
        return patch_boto3(self._given, **self._options) if self._given is not None else patch_boto3(**self._options)

    def _wrap(self, fn: F) -> F:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return await fn(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    # --- routing ------------------------------------------------------------------

    def patch_client(self, botocore_client: Any) -> Any:
        """Route an existing botocore/boto3 Step Functions client to this engine.

        Works before or after entering; the client follows this route while it is
        active (see the module docstring for afterwards). Returns the client.
        Raises TypeError for anything but a Step Functions client.
        """
        if not _is_sfn(botocore_client):
            raise TypeError("patch_client takes a botocore 'stepfunctions' client, "
                            f"not {type(botocore_client).__name__}")
        _bind(botocore_client, self)
        return botocore_client

    def respond(self, request: Any) -> Any:
        """The ``AWSResponse`` for a prepared botocore request (the route's one job).

        The target and body go to :meth:`SFNClient.call_api` unchanged; its status
        and body come back with ``x-amzn-RequestId``, ``Content-Type`` and
        ``Content-Length`` headers, as the HTTP endpoint sends them.
        """
        botocore = _botocore()
        target = request.headers.get("X-Amz-Target") or ""
        if isinstance(target, bytes):
            target = target.decode("ascii", "replace")
        status, body = self.client.call_api(target, _request_bytes(request.body))
        headers = {
            "x-amzn-RequestId": str(uuid.uuid4()),
            "Content-Type": CONTENT_TYPE,
            "Content-Length": str(len(body)),
        }
        return botocore.awsrequest.AWSResponse(request.url, status, headers, _RawBody(body))

    def __repr__(self) -> str:
        state = "active" if self.active else ("exited" if self._exited else "not entered")
        return f"<stepfiber.patch_boto3 {state} client={self._client!r}>"
