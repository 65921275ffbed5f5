"""``python -m stepfiber <command>``: command-line tools (``bench``, ``jsonata``, ``serve``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m stepfiber bench [options]   (python -m stepfiber bench --help)")
        print("       python -m stepfiber jsonata EXPR < input.json")
        print("       python -m stepfiber serve [--host H] [--port 8083] [--handlers FILE.py]   (serve --help)")
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "bench":
        from .bench import main as bench_main

        return bench_main(rest)
    if command == "jsonata":
        from .jsonata import cli_main

        return cli_main(rest)
    if command == "serve":
        from .server import cli_main as serve_main

        return serve_main(rest)
    print(f"stepfiber: unknown command {command!r} (known: bench, jsonata, serve)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
