"""`dmind-edge policy …`: author, sign, ship and install signed policy bundles."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Optional

import typer
from dmind.policies import Policy, PolicyError
from dmind.policies.default import default_policy_source
from dmind.policies.errors import InputError
from dmind.policies.loader import load_policy_file
from rich.console import Console

from .version import runtime_version

app = typer.Typer(no_args_is_help=True, help="Author, sign, verify and install signed policy bundles.")
out = Console()
err = Console(stderr=True)


def _fail(code: str, message: str, status: int = 1) -> typer.Exit:
    err.print(f"[red]{code}[/red] {message}")
    return typer.Exit(status)


# Bundle refusals that mean the bytes are not a bundle at all (bad input, exit 2); the rest are a
# well-formed bundle refused by policy: rollback, expiry, an unknown key (exit 1).
MALFORMED_BUNDLE = (
    "BUNDLE_CBOR_",
    "BUNDLE_STRUCTURE_",
    "BUNDLE_TAG_",
    "BUNDLE_HEADER_",
    "BUNDLE_SCHEMA_",
    "BUNDLE_TOO_LARGE",
)


def _bundle_status(code: str, default: int = 1) -> int:
    return 2 if code.startswith(MALFORMED_BUNDLE) else default


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail("FILE_UNREADABLE", f"cannot read {path}: {exc.strerror}", 2) from exc


def _trust(keys: list[Path]):
    from dmind.policies.bundle import BundleError, TrustStore

    if not keys:
        raise _fail("TRUST_KEY_MISSING", "give at least one --trust-key PUB.pem to verify against", 2)
    try:
        return TrustStore.from_pem_files([Path(k) for k in keys])
    except (OSError, ValueError, BundleError) as exc:
        raise _fail("TRUST_KEY_INVALID", str(exc), 2) from exc


TrustKeys = typer.Option([], "--trust-key", help="Pinned Ed25519 public key (PEM); repeat for several.")


@app.command()
def keygen(
    out_dir: Path = typer.Option(Path("."), "--out", help="Directory for NAME.key and NAME.pub."),
    name: str = typer.Option("policy-signer", "--name", help="File name stem."),
) -> None:
    """Make an Ed25519 signing key pair (private key readable by you only)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from dmind.policies.bundle import key_id
    from dmind.policies.keyfiles import write_private_key

    out_dir.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out_dir / f"{name}.key", out_dir / f"{name}.pub"
    key = Ed25519PrivateKey.generate()
    try:
        write_private_key(private_path, key)
    except FileExistsError as exc:
        raise _fail("FILE_EXISTS", f"{private_path} exists; not overwriting a key", 2) from exc
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    out.print(f"wrote {private_path} and {public_path}; kid {key_id(key.public_key()).hex()}")


@app.command()
def init(
    path: Path = typer.Argument(Path("policy.toml"), help="Where to write the policy source."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented policy source equal to the built-in default."""
    if path.exists() and not force:
        raise _fail("FILE_EXISTS", f"{path} exists; use --force to overwrite", 2)
    path.write_text(default_policy_source(), encoding="utf-8")
    out.print(f"wrote {path}: edit it, then `dmind-edge policy build {path}`")


def _load_source(source: Path) -> Policy:
    try:
        return load_policy_file(source)
    except PolicyError as exc:
        raise _fail(exc.code, exc.message, 2) from exc


@app.command()
def build(
    source: Path = typer.Argument(..., help="Policy source (.toml or .json)."),
    output: Path = typer.Option(..., "--out", help="Where to write the CBOR payload."),
    valid_days: int = typer.Option(90, "--valid-days", min=1, help="Validity from issue time."),
    issued_at: Optional[int] = typer.Option(
        None, "--issued-at", help="Unix time (default: $SOURCE_DATE_EPOCH or now)."
    ),
    scope: Optional[str] = typer.Option(
        None,
        "--scope",
        help="Comma-separated chains: EVM chain ids or CAIP-2 ids (default: the chains the policy names, or 1).",
    ),
    min_runtime: Optional[str] = typer.Option(
        None, "--min-runtime", help="Oldest runtime that may load it (default: this one)."
    ),
) -> None:
    """Compile a policy source into a deterministic bundle payload."""
    from dmind.policies.bundle import BundleError, build_payload, runtime_release
    from dmind.policies.chains import chain_order, parse_chain

    policy = _load_source(source)
    issued = issued_at if issued_at is not None else int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    listed = [parse_chain(c.strip()) for c in scope.split(",")] if scope else sorted(policy.chains(), key=chain_order)
    if None in listed:
        raise _fail(
            "SCOPE_INVALID",
            f"--scope takes comma-separated EVM chain ids or CAIP-2 ids (eip155:1, solana:5eykt4Us…), got {scope!r}",
            2,
        )
    chains = tuple(c for c in listed if c is not None) or ("eip155:1",)
    try:
        release = ".".join(map(str, runtime_release(runtime_version())))
        payload = build_payload(policy, issued, issued, issued + valid_days * 86400, min_runtime or release, chains)
    except BundleError as exc:
        raise _fail(exc.code, exc.message) from exc
    output.write_bytes(payload)
    out.print(
        f"wrote {output}: {policy.policy_id} revision {policy.revision}, {len(payload)} bytes, "
        f"chains {', '.join(sorted(set(chains), key=chain_order))}"
    )


@app.command()
def sign(
    payload: Path = typer.Argument(..., help="Payload from `policy build`."),
    key: Path = typer.Option(..., "--key", help="Ed25519 private key (PEM)."),
    output: Path = typer.Option(..., "--out", help="Where to write the signed bundle."),
) -> None:
    """Sign a payload into a COSE_Sign1 bundle."""
    import cbor2
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from dmind.policies.bundle import parse_payload, sign_bundle
    from dmind.policies.cbor_strict import check_deterministic

    try:
        private = serialization.load_pem_private_key(_read(key), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise _fail("KEY_INVALID", f"{key} is not an unencrypted PEM private key ({exc})", 2) from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise _fail("KEY_INVALID", f"{key} is not an Ed25519 private key", 2)
    data = _read(payload)
    try:
        check_deterministic(data)
        parse_payload(cbor2.loads(data))
    except InputError as exc:
        raise _fail(exc.code, f"{payload} is not a policy payload from `policy build`: {exc.message}", 2) from exc
    bundle = sign_bundle(data, private)
    output.write_bytes(bundle)
    out.print(f"wrote {output} ({len(bundle)} bytes)")


def _summary(bundle) -> dict:
    info = bundle.info
    return {
        "bundle_id": info.bundle_id,
        "revision": info.revision,
        "issued_at": info.issued_at,
        "not_before": info.not_before,
        "expires_at": info.expires_at,
        "min_runtime": info.min_runtime,
        "scope": list(info.scope),
        "kid": bundle.kid.hex(),
        "sha256": bundle.digest,
    }


def verify_file(path: Path, trust_keys: list[Path], now: Optional[int] = None, status: int = 1):
    """Verify a bundle file against pinned keys, or exit with `status` and the bundle's error code."""
    from dmind.policies.bundle import BundleError, verify_bundle

    try:
        return verify_bundle(
            _read(path), _trust(trust_keys), int(time.time()) if now is None else now, runtime_version()
        )
    except BundleError as exc:
        raise _fail(exc.code, exc.message, _bundle_status(exc.code, status)) from exc


@app.command()
def verify(
    bundle: Path = typer.Argument(...),
    trust_key: list[Path] = TrustKeys,
    now: Optional[int] = typer.Option(None, "--now", help="Unix time to verify at (default: now)."),
) -> None:
    """Verify a bundle: algorithm, kid, signature, validity window, schema."""
    verified = verify_file(bundle, trust_key, now)
    out.print_json(json.dumps({"ok": True, **_summary(verified)}))


def _unverified(path: Path) -> tuple[dict, dict]:
    import cbor2
    from dmind.policies.cose import decode_sign1

    try:
        message = decode_sign1(_read(path))
        payload = cbor2.loads(message.payload)
    except InputError as exc:
        raise _fail(exc.code, exc.message, 2) from exc
    except ValueError as exc:  # CBOR that cbor2 cannot read
        raise _fail("BUNDLE_INVALID", str(exc), 2) from exc
    headers = {
        "alg": message.alg,
        "kid": message.kid.hex() if message.kid else None,
        "content_type": message.protected.get(3),
    }
    return headers, payload


@app.command()
def inspect(bundle: Path = typer.Argument(...), trust_key: list[Path] = TrustKeys) -> None:
    """Show a bundle as readable text; verified when --trust-key is given."""
    headers, payload = _unverified(bundle)
    status = "not verified (no --trust-key)"
    if trust_key:
        verify_file(bundle, trust_key)
        status = "verified"
    out.print(f"[bold]{bundle}[/bold]: {status}")
    out.print(f"COSE_Sign1 protected header: {headers}")
    out.print_json(json.dumps(payload, indent=2, default=str))


def _flatten(value, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        flat: dict[str, object] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


@app.command()
def diff(old: Path = typer.Argument(...), new: Path = typer.Argument(...)) -> None:
    """What changes between two bundles, field by field (signatures not checked)."""
    before, after = _flatten(_unverified(old)[1]), _flatten(_unverified(new)[1])
    changes = 0
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes += 1
            if key not in before:
                out.print(f"[green]+ {key} = {after[key]!r}[/green]")
            elif key not in after:
                out.print(f"[red]- {key} = {before[key]!r}[/red]")
            else:
                out.print(f"[yellow]~ {key}: {before[key]!r} -> {after[key]!r}[/yellow]")
    out.print(f"{changes} field(s) differ")


@app.command()
def install(
    bundle: Path = typer.Argument(...),
    state: Path = typer.Option(..., "--state", help="Device state directory."),
    trust_key: list[Path] = TrustKeys,
    allow_new_id: bool = typer.Option(False, "--allow-new-id"),
    now: Optional[int] = typer.Option(None, "--now", help="Unix time to verify at (default: now)."),
) -> None:
    """Verify and atomically activate a bundle in a device state directory."""
    from dmind.policies.bundle import BundleError
    from dmind.policies.store import PolicyStore

    store = PolicyStore(state, _trust(trust_key), runtime_version())
    try:
        activated = store.install(_read(bundle), int(time.time()) if now is None else now, allow_new_id)
    except BundleError as exc:
        raise _fail(exc.code, f"{exc.message}; the active policy is unchanged", _bundle_status(exc.code)) from exc
    out.print_json(json.dumps({"ok": True, "activated": _summary(activated)}))
