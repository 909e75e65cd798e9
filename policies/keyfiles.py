"""Private keys on disk: one writer, so every key file is created the same safe way.

A key file is created with `O_CREAT | O_EXCL` and mode 0600 in one system call: it never
exists, even for an instant, with wider permissions, and an existing key (or a link an
attacker planted in its place) is never overwritten. Keys are PEM, PKCS#8, unencrypted;
the directory's permissions protect them, as ssh does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

Key = TypeVar("Key", bound=PrivateKeyTypes)


def write_private(path: Path, secret: bytes) -> None:
    """Write `secret` to a new file readable by its owner only; FileExistsError if `path` exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)


def write_private_key(path: Path, key: PrivateKeyTypes) -> None:
    """Write `key` (PEM, PKCS#8) to a new file readable by its owner only; FileExistsError if `path` exists."""
    write_private(
        path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def read_private_key(path: Path, kind: type[Key]) -> Key:
    """The private key in `path`; ValueError if it is not a key of `kind`."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, kind):
        raise ValueError(f"{path} holds a {type(key).__name__}, not a {kind.__name__}")
    return key


def ensure_private_key(path: Path, kind: type[Key], generate: Callable[[], Key]) -> Key:
    """The key in `path`, made by `generate` and written on first use."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            write_private_key(path, generate())
        except FileExistsError:
            pass  # another process made it first: use theirs
    return read_private_key(path, kind)
