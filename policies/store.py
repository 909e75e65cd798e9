"""The device side: the active bundle and the revision record, activated atomically.

State directory layout:
    active.cbor    the active signed bundle, exactly as received
    revisions.cbor {bundle_id: highest revision ever activated} (deterministic CBOR)

`install` verifies first; only a bundle that passes every check is written (temporary
file, fsync, rename, fsync of the directory), and only then is its revision recorded. Any
failure leaves the previous bundle active. On load the record is reconciled with the active
bundle, so a crash between the two writes can never lower the recorded revision.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import cbor2

from .bundle import BundleError, TrustStore, VerifiedBundle, verify_bundle
from .cbor_strict import CborError, check_deterministic

log = logging.getLogger(__name__)
ACTIVE = "active.cbor"
REVISIONS = "revisions.cbor"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class PolicyStore:
    """The policy state of one device (or emulator) in a directory."""

    def __init__(self, state_dir: str | Path, trust: TrustStore, runtime_version: str) -> None:
        self.dir = Path(state_dir)
        self.trust = trust
        self.runtime_version = runtime_version

    def revisions(self) -> dict[str, int]:
        """The highest revision activated per bundle id (empty for a new device)."""
        path = self.dir / REVISIONS
        if not path.exists():
            return {}
        data = path.read_bytes()
        try:
            check_deterministic(data)
        except CborError as exc:
            raise BundleError("STORE_CORRUPT", f"{path} is damaged: {exc}") from exc
        record = cbor2.loads(data)
        if not isinstance(record, dict) or not all(isinstance(k, str) and isinstance(v, int) for k, v in record.items()):
            raise BundleError("STORE_CORRUPT", f"{path} is not a revision record")
        return record

    def active(self, now: int) -> VerifiedBundle | None:
        """The active bundle, verified again with the pinned keys; None on a new device."""
        path = self.dir / ACTIVE
        if not path.exists():
            return None
        bundle = verify_bundle(path.read_bytes(), self.trust, now, self.runtime_version)
        record = self.revisions()
        if record.get(bundle.info.bundle_id, -1) < bundle.info.revision:  # activation finished, record did not
            record[bundle.info.bundle_id] = bundle.info.revision
            _write_atomic(self.dir / REVISIONS, cbor2.dumps(record, canonical=True))
        return bundle

    def install(self, data: bytes, now: int, allow_new_id: bool = False) -> VerifiedBundle:
        """Verify and activate a bundle; on any failure the previous bundle stays active."""
        self.dir.mkdir(parents=True, exist_ok=True)
        record = self.revisions()
        current = None
        if (self.dir / ACTIVE).exists():
            try:
                current = self.active(now)
                record = self.revisions()
            except BundleError as exc:  # an expired or damaged active bundle may be replaced
                log.warning("the active bundle no longer verifies (%s); accepting a replacement", exc.code)
        bundle = verify_bundle(data, self.trust, now, self.runtime_version, revisions=record)
        if current is not None and bundle.info.bundle_id != current.info.bundle_id and not allow_new_id:
            raise BundleError("BUNDLE_ID_MISMATCH", f"active bundle is {current.info.bundle_id!r}; installing {bundle.info.bundle_id!r} needs allow_new_id")
        _write_atomic(self.dir / ACTIVE, data)
        record[bundle.info.bundle_id] = bundle.info.revision
        _write_atomic(self.dir / REVISIONS, cbor2.dumps(record, canonical=True))
        log.info("activated policy bundle %s revision %d", bundle.info.bundle_id, bundle.info.revision)
        return bundle
