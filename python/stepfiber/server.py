"""``stepfiber.serve``: the engine as an AWS Step Functions HTTP endpoint (AWS JSON 1.0).

The server is C++ (Boost.Beast, ``stepfiber._core.HttpServer``) over the client's
operation layer: no Python runs on the request path. Python task handlers
registered on the client keep serving Task resources while it runs, on their own
threads. Point any SDK at :attr:`Server.endpoint_url`::

    with stepfiber.serve() as server:
        sf = boto3.client("stepfunctions", endpoint_url=server.endpoint_url,
                          config=botocore.config.Config(inject_host_prefix=False))

``inject_host_prefix=False`` (or ``AWS_DISABLE_HOST_PREFIX_INJECTION=true``) stops
botocore sending StartSyncExecution and TestState to ``sync-<host>``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from . import _core
from .client import SFNClient
from .client import client as _new_client

__all__ = ["DEFAULT_PORT", "Server", "serve"]

#: Step Functions Local's port, the CLI's default.
DEFAULT_PORT = 8083


def _native_class() -> Any:
    """``_core.HttpServer``, or a clear error when this build has none."""
    cls = getattr(_core, "HttpServer", None)
    if cls is None:
        raise RuntimeError("this build of stepfiber has no HTTP server (stepfiber._core.HttpServer is missing)")
    return cls


def _value(obj: Any, name: str) -> Any:
    """An attribute that the binding may expose as a property or a method."""
    value = getattr(obj, name)
    return value() if callable(value) else value


def url_host(host: str) -> str:
    """The host as it goes into a URL: a wildcard address becomes loopback, IPv6 gets brackets."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    return f"[{address}]" if address.version == 6 else str(address)


class Server:
    """A running HTTP endpoint over one :class:`SFNClient`'s engine.

    Create it with :func:`serve`. :attr:`endpoint_url` is where SDKs point;
    :meth:`close` (or leaving ``with``) stops it, and closes the client if
    :func:`serve` created it.
    """

    def __init__(self, client: SFNClient, native: Any, owns_client: bool) -> None:
        """Wrap a started native server; use :func:`serve`."""
        self._client = client
        self._native = native
        self._owns_client = owns_client
        self._closed = False
        self.port: int = int(_value(native, "port"))
        self.host: str = str(_value(native, "host")) if hasattr(native, "host") else "127.0.0.1"
        #: ``http://host:port`` -- give it to ``endpoint_url=`` / ``AWS_ENDPOINT_URL_SFN``.
        self.endpoint_url = f"http://{url_host(self.host)}:{self.port}"

    @property
    def client(self) -> SFNClient:
        """The engine's client: register task handlers, advance a manual clock, ..."""
        return self._client

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._closed

    def stats(self) -> dict[str, Any]:
        """The native server's counters (open connections, accepted, requests), if it has them."""
        raw = _value(self._native, "stats") if hasattr(self._native, "stats") else {}
        if isinstance(raw, dict):
            return dict(raw)
        return {k: getattr(raw, k) for k in dir(raw) if not k.startswith("_")}

    def close(self) -> None:
        """Stop listening and drop open connections; close the client if serve() made it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            stop = getattr(self._native, "stop", None) or getattr(self._native, "close")
            stop()
        finally:
            if self._owns_client:
                self._client.close()

    def __enter__(self) -> Server:
        """Use the server as a context manager; it is closed on exit."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the server."""
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<stepfiber.Server {self.endpoint_url}{state}>"


def serve(
    client: SFNClient | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    threads: int = 1,
    **client_options: Any,
) -> Server:
    """Serve an engine over HTTP (AWS JSON 1.0) and return the running :class:`Server`.

    Args:
        client: the :class:`SFNClient` whose engine to serve. ``None`` (default)
            creates ``stepfiber.client(**client_options)``, closed with the server.
        host: address to listen on (default loopback only).
        port: TCP port; 0 (default) picks a free one (see ``Server.port``).
        threads: I/O threads of the server (requests never wait on them).
        **client_options: for the client created when ``client`` is None
            (``manual_clock=True``, ``region_name=...``, ``account_id=...``).

    Raises ValueError for a bad port or host, OSError when the address cannot
    be bound, RuntimeError when this build has no HTTP server.
    """
    if client is not None and client_options:
        raise TypeError("pass either a client or options for a new one, not both")
    if client is not None and not isinstance(client, SFNClient):
        raise TypeError(f"serve(client=...) takes a stepfiber.SFNClient, not {type(client).__name__}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an integer in [0, 65535], got {port!r}")
    if not isinstance(host, str) or not host:
        raise ValueError(f"host must be a non-empty string, got {host!r}")
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 64:
        raise ValueError(f"threads must be an integer in [1, 64], got {threads!r}")
    native_class = _native_class()
    owns = client is None
    sfn = _new_client(**client_options) if client is None else client
    if sfn.closed:
        raise RuntimeError(f"{sfn!r} is closed; serve() needs an open client")
    try:
        native = native_class(sfn._service, host, port, threads)
    except BaseException:
        if owns:
            sfn.close()
        raise
    return Server(sfn, native, owns)


# --- the command line: ``python -m stepfiber serve`` / ``stepfiber serve`` --------------------

HANDLERS_HELP = (
    "a Python file that registers task handlers. It runs with the global `client` (the engine's "
    "stepfiber.SFNClient) and `stepfiber` defined; if it defines `register(client)`, that is called "
    "once after the file has run. E.g. client.register_task_handler('arn:aws:states:::lambda:invoke', fn)"
)


def _parser() -> Any:
    """The ``serve`` subcommand's options."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="stepfiber serve",
        description="Serve a local AWS Step Functions endpoint (AWS JSON 1.0 over HTTP) until SIGINT/SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"TCP port (default {DEFAULT_PORT}, Step Functions Local's; 0 picks a free one)")
    parser.add_argument("--region", default="us-east-1", help="region in ARNs (default us-east-1)")
    parser.add_argument("--account", default="123456789012", help="12-digit account id in ARNs (default 123456789012)")
    parser.add_argument("--handlers", metavar="FILE.py", help=HANDLERS_HELP)
    parser.add_argument("--threads", type=int, default=1, help="HTTP I/O threads (default 1)")
    parser.add_argument("--clock", choices=("system", "manual"), default="system",
                        help="manual: engine time moves only through StepFiber.AdvanceClock (default system)")
    parser.add_argument("--time-scale", type=float, default=1.0, metavar="X",
                        help="scale every wait, as Step Functions Local's WAIT_TIME_SCALE (0.1: ten times shorter)")
    parser.add_argument("--mock-config", metavar="PATH", default=None,
                        help="Step Functions Local's MockConfigFile (default: $SFN_MOCK_CONFIG when set)")
    return parser


def load_handlers(path: str, client: SFNClient) -> None:
    """Run a ``--handlers`` file against ``client`` (see :data:`HANDLERS_HELP`).

    Raises FileNotFoundError for a missing file; exceptions raised by the file
    propagate with their traceback.
    """
    import os
    import runpy

    import stepfiber

    if not os.path.isfile(path):
        raise FileNotFoundError(f"--handlers: no such file: {path}")
    namespace = runpy.run_path(path, init_globals={"client": client, "stepfiber": stepfiber}, run_name="__stepfiber_handlers__")
    register = namespace.get("register")
    if callable(register):
        register(client)


def cli_main(argv: list[str] | None = None) -> int:
    """``stepfiber serve``: serve until SIGINT/SIGTERM; returns the exit status."""
    import signal
    import sys
    import threading

    args = _parser().parse_args(argv)
    try:
        sfn = _new_client(manual_clock=args.clock == "manual", region_name=args.region, account_id=args.account,
                          time_scale=args.time_scale, mock_config=args.mock_config)
    except (ValueError, OSError) as exc:  # MockConfigError is a ValueError
        print(f"stepfiber serve: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    previous = {}
    try:
        if args.handlers:
            try:
                load_handlers(args.handlers, sfn)
            except FileNotFoundError as exc:
                print(f"stepfiber serve: {exc}", file=sys.stderr)
                return 2
        try:
            server = serve(sfn, args.host, args.port, threads=args.threads)
        except (ValueError, OSError, RuntimeError) as exc:
            print(f"stepfiber serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
        with server:
            url = server.endpoint_url
            print(f"stepfiber: AWS Step Functions endpoint on {url} "
                  f"(region {args.region}, account {args.account}, clock {args.clock}); Ctrl-C stops it")
            print(f"  use it: AWS_ENDPOINT_URL_SFN={url} AWS_DISABLE_HOST_PREFIX_INJECTION=true "
                  f"(boto3 / aws stepfunctions ...; or endpoint_url= and Config(inject_host_prefix=False))",
                  flush=True)
            while not stop.wait(0.5):
                pass
        print("stepfiber: stopped", flush=True)
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sfn.close()
