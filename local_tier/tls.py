"""TLS 1.3 with a pinned self-signed certificate: the daemon's identity for its clients.

The daemon makes its certificate once and prints its SHA-256 fingerprint in every pairing
offer; the client (`dmind.edge.local_protocol`) trusts exactly the certificate with that fingerprint
(loaded as the only trust anchor), never a CA. Requests are authenticated the other way by
the client's paired Ed25519 key (`protocol.py`).
"""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from dmind.policies.keyfiles import write_private_key

CERT, KEY = "daemon-cert.pem", "daemon-key.pem"


def ensure_certificate(state: Path) -> tuple[Path, Path]:
    """The daemon's certificate and key in `state`, made on first use (P-256, ten years)."""
    cert_path, key_path = state / CERT, state / KEY
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    state.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dmind-edge local verifier")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.unlink(missing_ok=True)  # a key without its certificate is of no use: make both afresh
    write_private_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The daemon's TLS 1.3 server context."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(cert, key)
    return context
