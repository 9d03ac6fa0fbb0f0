"""The HTTP service (``pip install 'ansafe-rules[server]'``): ``create_app(settings)`` builds a
FastAPI application serving the library's checks, obligations, batches, catalogues, diffs and
schemas; ``ansafe-rules serve`` runs it under uvicorn. See ``docs/http.md``.

Importing this package does not import FastAPI: :func:`create_app` does, so the command line
can say which extra to install when it is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import ServerLimits, ServerSettings

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["ServerLimits", "ServerSettings", "create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` on first use (imports FastAPI only then)."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
