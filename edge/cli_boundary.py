"""The one boundary of every CLI verb: how a verb reads what it is given, and how a refusal reaches a person.

Every verb reads its files and standard input through `read_input` / `read_json` (the one
strict JSON reader of `requests_io`), and `run` wraps the whole command line, so whatever a
verb refuses (any error of ours carrying a stable `code`, an unreadable file, a value no
parser takes) ends as one line, `CODE: sentence`, on standard error and exit status 2. No
input reaches the user as a traceback; a bug of ours is INTERNAL_ERROR with exit status 1.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, Callable

from dmind.policies.errors import DmindError, InputError

from .errors import EdgeError
from .limits import MAX_REQUEST_JSON_BYTES
from .requests_io import loads_strict

log = logging.getLogger(__name__)
EXIT_REFUSED = 2
EXIT_INTERNAL = 1


def read_input(source: str | Path, what: str = "the input", limit: int = MAX_REQUEST_JSON_BYTES) -> bytes:
    """The bytes of a file, or of standard input for "-", at most `limit` of them."""
    try:
        if str(source) == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise EdgeError(
            "INPUT_UNREADABLE", f"cannot read {what} from {source}: {exc.strerror or exc}", str(source)
        ) from exc
    if len(data) > limit:
        raise EdgeError("REQUEST_TOO_LARGE", f"{what} is larger than {limit} bytes", str(source))
    return data


def read_json(source: str | Path, what: str = "the request") -> Any:
    """One JSON value from a file or standard input, read by the strict reader every boundary uses."""
    return loads_strict(read_input(source, what), what)


def read_json_object(source: str | Path, what: str = "the request") -> dict:
    """A JSON object from a file or standard input; anything else is REQUEST_INVALID."""
    value = read_json(source, what)
    if not isinstance(value, dict):
        raise EdgeError("REQUEST_INVALID", f"{what} must be a JSON object", str(source))
    return value


def host_port(text: str, what: str = "the address") -> tuple[str, int]:
    """`HOST:PORT` (IPv6 in brackets, `[::1]:7440`) as (host, port); port 0 asks the system for a free one."""
    host, _, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not port.isascii() or not port.isdigit() or int(port) > 65535:
        raise InputError("HOST_PORT_INVALID", f"{what} takes HOST:PORT with a port from 0 to 65535, got {text!r}")
    return host, int(port)


def describe(exc: BaseException) -> tuple[str, str, int]:
    """(code, sentence, exit status) for an exception that reached the boundary."""
    if isinstance(exc, DmindError):
        return exc.code, exc.message, EXIT_REFUSED
    if isinstance(exc, OSError):
        return "INPUT_UNREADABLE", f"{exc.filename or 'a file'}: {exc.strerror or exc}", EXIT_REFUSED
    if isinstance(exc, (ValueError, UnicodeError)):
        return "INPUT_INVALID", str(exc) or type(exc).__name__, EXIT_REFUSED
    return "INTERNAL_ERROR", f"{type(exc).__name__}: {exc}", EXIT_INTERNAL


def run(command: Callable[..., Any], args: list[str] | None = None) -> int:
    """Run a Typer/Click command line; every refusal becomes `CODE: sentence` on standard error."""
    try:
        command(args=args, prog_name="dmind-edge")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_REFUSED)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the boundary: no traceback reaches a person
        code, message, status = describe(exc)
        if status == EXIT_INTERNAL:
            log.debug("internal error", exc_info=True)
        sys.stderr.write(f"{code}: {message}\n")
        return status
    return 0
