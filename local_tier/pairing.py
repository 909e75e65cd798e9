"""Pairing offers made by the daemon: `dmind-pair:` URIs and their QR codes.

An offer names the daemon's address and certificate fingerprint, a one-time 128-bit token
and its expiry (at most 5 minutes). Only the token's hash is stored, and it is spent on
first use. The offer format itself is shared with the client side (`dmind.edge.local_protocol`).
"""

from __future__ import annotations

import io
import secrets

from dmind.edge.local_protocol import MAX_OFFER_S, Offer


def new_offer(host: str, port: int, fingerprint: str, now: int, ttl_s: int = MAX_OFFER_S) -> Offer:
    """A fresh offer with a random 128-bit token, valid for at most five minutes."""
    return Offer(host, port, fingerprint, secrets.token_bytes(16), now + min(ttl_s, MAX_OFFER_S))


def qr_text(data: str) -> str:
    """The URI as a QR code drawn with text, for a terminal."""
    import qrcode

    code = qrcode.QRCode(border=1)
    code.add_data(data)
    buffer = io.StringIO()
    code.print_ascii(out=buffer, invert=True)
    return buffer.getvalue()
