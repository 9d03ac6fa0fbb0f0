"""``ansafe-rules serve``: the HTTP service under uvicorn.

Registered by the main command line without importing FastAPI; :func:`run` imports it and,
when the extra is missing, says which one to install."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path
from typing import Any, TextIO

from .._errors import AnsafeError
from ..i18n import lang_from_env, text
from ..inputs import DEFAULT_LIMITS, Limits
from .settings import ENV_VAR, ServerLimits, ServerSettings

__all__ = ["add_parser", "run", "settings_of"]

INSTALL_HINT = "pip install 'ansafe-rules[server]'"
HTTP_PROTOCOL = "h11"
"""uvicorn's HTTP/1.1 implementation: h11 reads the body of a request that offers an h2c upgrade
(Java's HttpClient default); httptools drops it."""


def _in_force(text: str) -> tuple[str, dt.date]:
    layer, sep, day = text.partition("=")
    try:
        if not sep or not layer:
            raise ValueError
        return layer, dt.date.fromisoformat(day)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LAYER=YYYY-MM-DD, got {text!r}") from None


def _limit(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    names = (*Limits.names(), *ServerLimits.names())
    if not sep or name not in names:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE with NAME one of {', '.join(names)}, got {text!r}"
        )
    return name, value


def _workers(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of workers >= 1, got {text!r}")
    return n


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``serve`` to the main command line's subcommands."""
    s = subparsers.add_parser(
        "serve",
        help=f"HTTP service with an OpenAPI document (needs {INSTALL_HINT})",
        description="Serve the checks over HTTP (docs/http.md). Rulesets are loaded once per "
        "worker; requests name jurisdictions by id only.",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument(
        "--workers", type=_workers, default=1, metavar="N", help="worker processes (default 1)"
    )
    s.add_argument(
        "--ruleset-path",
        action="append",
        default=[],
        type=Path,
        help="extra folder of ruleset files: their ids join the registry (repeatable)",
    )
    s.add_argument(
        "--calendar",
        type=Path,
        default=None,
        help="YAML calendar overrides (official schedules of later years) for every request",
    )
    s.add_argument(
        "--in-force",
        action="append",
        default=[],
        type=_in_force,
        metavar="LAYER=DATE",
        help="default in-force date of a layer the text does not date (a request's in_force "
        "parameter adds to it)",
    )
    s.add_argument(
        "--limit",
        action="append",
        default=[],
        type=_limit,
        metavar="NAME=VALUE",
        help="an input limit (docs/limits.md) or a request limit: max_body_bytes (default "
        "20 MiB), max_batch_lines (10000), timeout_seconds (30, per case), "
        "read_timeout_seconds (30, per body)",
    )
    s.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default="warning",
        help="uvicorn's log level (default warning)",
    )
    s.add_argument("--access-log", action="store_true", help="log every request")
    return s


def settings_of(args: argparse.Namespace) -> ServerSettings:
    """The server settings the ``serve`` options describe (``ValueError`` for a bad limit)."""
    limits, server = DEFAULT_LIMITS, ServerLimits()
    for name, value in args.limit:
        if name in ServerLimits.names():
            server = server.replace(name, value)
        else:
            limits = limits.replace(name, value)
    return ServerSettings(
        search_paths=tuple(str(p) for p in args.ruleset_path),
        in_force=tuple(args.in_force),
        calendar_file=str(args.calendar) if args.calendar else None,
        limits=limits,
        server_limits=server,
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Serve until interrupted. Exit code 2 when the extra is missing or the settings are bad."""
    try:
        import uvicorn

        from .app import OPENAPI_PATH, create_app
    except ImportError as exc:
        print(
            f"ansafe-rules: error: serve needs the server extra ({exc.name} is missing): "
            f"{INSTALL_HINT}",
            file=err,
        )
        return 2
    try:
        settings = settings_of(args)
        app = create_app(settings)  # load everything now: a bad ruleset fails here
    except (AnsafeError, ValueError, OSError) as exc:
        # an operator's command: said in the locale's language
        lang = lang_from_env(os.environ)
        said = exc.in_language(lang) if isinstance(exc, AnsafeError) else str(exc)
        print(f"ansafe-rules: {text('cli.error', lang).format(message=said)}", file=err)
        return 2
    url = f"http://{args.host}:{args.port}"
    print(
        f"ansafe-rules {app.version}: serving on {url} with {args.workers} worker(s); "
        f"OpenAPI at {url}{OPENAPI_PATH}",
        file=out,
        flush=True,
    )
    common: dict[str, Any] = {
        # h11, not httptools: httptools drops the body of a request offering an HTTP/2
        # upgrade (h2c), which Java's HttpClient does by default (docs/http.md)
        "http": HTTP_PROTOCOL,
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "access_log": args.access_log,
    }
    if args.workers == 1:
        uvicorn.run(app, **common)
    else:  # each worker process builds its own application from the same settings
        os.environ[ENV_VAR] = settings.to_json()
        uvicorn.run(
            "ansafe_rules.server.app:app_from_environment",
            factory=True,
            workers=args.workers,
            **common,
        )
    return 0
