"""Live servers for tests and benchmarks, on 127.0.0.1 and a free port, always stopped.

:func:`serve_in_thread` runs an application under uvicorn in a thread of this process (its
settings are the caller's, e.g. a pinned ``today``); :func:`serve_in_process` runs the
command line ``ansafe-rules serve`` in a child process (``--workers N``)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence

from .settings import ServerSettings

__all__ = ["free_port", "serve_in_process", "serve_in_thread", "wait_until_up"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base_url: str, deadline_seconds: float = 60.0) -> None:
    """Poll ``/v1/health`` until it answers 200 (``RuntimeError`` after the deadline)."""
    end = time.monotonic() + deadline_seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > end:
            raise RuntimeError(f"no server answered at {base_url} in {deadline_seconds:g} s")
        time.sleep(0.05)


@contextlib.contextmanager
def serve_in_thread(settings: ServerSettings | None = None) -> Iterator[str]:
    """Serve ``create_app(settings)`` in a thread; yields the base URL; stops on exit."""
    import uvicorn

    from .app import create_app
    from .cli import HTTP_PROTOCOL

    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        http=HTTP_PROTOCOL,
        log_level="error",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"ansafe-server-{port}", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def serve_in_process(args: Sequence[str] = (), workers: int = 1) -> Iterator[str]:
    """Run ``ansafe-rules serve`` in a child process; yields the base URL; stops it (SIGTERM,
    then SIGKILL) on exit."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "ansafe_rules",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        *args,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_up(base)
        except RuntimeError:
            proc.terminate()
            _, err = proc.communicate(timeout=30)
            raise RuntimeError(f"{' '.join(cmd)} did not start: {err.decode()[-2000:]}") from None
        yield base
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
