"""The device side: the active bundle and the revision record, activated atomically.

State directory layout:
    active.cbor    the active signed bundle, exactly as received
    revisions.cbor {bundle_id: highest revision ever accepted} (deterministic CBOR)
    .lock          held (flock) for the whole of an install, so installs never interleave

`install` verifies first. The revision record is raised (never lowered) before the bundle is
written, so a crash between the two writes can only make the device stricter, never let an
older revision back in. Each write goes to a fresh temporary file (O_EXCL), is fsynced and
renamed over the old one, and the directory is fsynced. Any failure leaves the previous
bundle active.
"""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import cbor2

from .bundle import BundleError, TrustStore, VerifiedBundle, verify_bundle
from .cbor_strict import CborError, check_deterministic

log = logging.getLogger(__name__)
ACTIVE = "active.cbor"
REVISIONS = "revisions.cbor"
LOCK = ".lock"


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BundleError("STORE_CORRUPT", f"cannot read {path}: {exc.strerror}") from exc


class PolicyStore:
    """The policy state of one device (or emulator) in a directory."""

    def __init__(self, state_dir: str | Path, trust: TrustStore, runtime_version: str) -> None:
        self.dir = Path(state_dir)
        self.trust = trust
        self.runtime_version = runtime_version

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / LOCK, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def revisions(self) -> dict[str, int]:
        """The highest revision accepted per bundle id (empty for a new device)."""
        data = _read(self.dir / REVISIONS)
        if data is None:
            return {}
        try:
            check_deterministic(data)
        except CborError as exc:
            raise BundleError("STORE_CORRUPT", f"{REVISIONS} is damaged: {exc}") from exc
        record = cbor2.loads(data)
        if not isinstance(record, dict) or not all(
            type(k) is str and type(v) is int and v >= 0 for k, v in record.items()
        ):
            raise BundleError("STORE_CORRUPT", f"{REVISIONS} is not a revision record")
        return record

    def _raise_record(self, record: dict[str, int], bundle_id: str, revision: int) -> dict[str, int]:
        if record.get(bundle_id, -1) < revision:
            record = {**record, bundle_id: revision}
            _write_atomic(self.dir / REVISIONS, cbor2.dumps(record, canonical=True))
        return record

    def _stale_active(self) -> VerifiedBundle | None:
        """The active bundle by signature alone (it may have expired since), or None."""
        data = _read(self.dir / ACTIVE)
        if data is None:
            return None
        try:
            return verify_bundle(data, self.trust, 0, self.runtime_version, check_window=False)
        except BundleError as exc:
            log.warning("the active bundle no longer verifies by signature (%s)", exc.code)
            return None

    def active(self, now: int) -> VerifiedBundle | None:
        """The active bundle, fully verified again with the pinned keys; None on a new device."""
        data = _read(self.dir / ACTIVE)
        if data is None:
            return None
        return verify_bundle(data, self.trust, now, self.runtime_version)

    def install(self, data: bytes, now: int, allow_new_id: bool = False) -> VerifiedBundle:
        """Verify and activate a bundle; on any failure the previous bundle stays active."""
        with self._locked():
            record = self.revisions()
            current = self._stale_active()
            if current is not None:  # an activation whose record write was lost still counts
                record = self._raise_record(record, current.info.bundle_id, current.info.revision)
            elif (self.dir / ACTIVE).exists() and not allow_new_id:
                raise BundleError(
                    "BUNDLE_ID_MISMATCH", "the active bundle no longer verifies; replacing it needs allow_new_id"
                )
            bundle = verify_bundle(data, self.trust, now, self.runtime_version, revisions=record)
            if current is not None and bundle.info.bundle_id != current.info.bundle_id and not allow_new_id:
                raise BundleError(
                    "BUNDLE_ID_MISMATCH",
                    f"active bundle is {current.info.bundle_id!r}; installing {bundle.info.bundle_id!r} needs "
                    "allow_new_id",
                )
            self._raise_record(record, bundle.info.bundle_id, bundle.info.revision)
            _write_atomic(self.dir / ACTIVE, data)
        log.info("activated policy bundle %s revision %d", bundle.info.bundle_id, bundle.info.revision)
        return bundle
