"""secp256k1 in pure Python: public-key recovery fast enough for the signing path, and
deterministic signing for the device emulator.

The gate must run without compiled extensions, and eth-keys' pure-Python backend takes
~6.5 ms per recovery. This module computes Q = r⁻¹(s·R − z·G) = u1·G + u2·R in Jacobian
coordinates with the GLV endomorphism and one interleaved wNAF chain over four ~128-bit
scalars (G's odd-multiple table is built once, on first use). Tests check it against
eth-account signatures and eth-keys.
"""

from __future__ import annotations

import hashlib
import hmac

P = 2**256 - 2**32 - 977  # the field prime
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8

Jacobian = tuple[int, int, int]  # (X, Y, Z), infinity when Z == 0
INFINITY: Jacobian = (0, 1, 0)


def _double(pt: Jacobian) -> Jacobian:
    x, y, z = pt
    if not z or not y:
        return INFINITY
    yy = y * y % P
    s = 4 * x * yy % P
    m = 3 * x * x % P
    x3 = (m * m - 2 * s) % P
    return x3, (m * (s - x3) - 8 * yy * yy) % P, 2 * y * z % P


def _add_affine(pt: Jacobian, qx: int, qy: int) -> Jacobian:
    """pt + (qx, qy), the second point affine (mixed addition)."""
    x1, y1, z1 = pt
    if not z1:
        return qx, qy, 1
    zz = z1 * z1 % P
    u2 = qx * zz % P
    s2 = qy * zz * z1 % P
    h = (u2 - x1) % P
    r = (s2 - y1) % P
    if not h:
        return _double(pt) if not r else INFINITY
    hh = h * h % P
    hhh = hh * h % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - y1 * hhh) % P, z1 * h % P


def _add(pt: Jacobian, q: Jacobian) -> Jacobian:
    x2, y2, z2 = q
    if not z2:
        return pt
    if not pt[2]:
        return q
    x1, y1, z1 = pt
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    h, r = (u2 - u1) % P, (s2 - s1) % P
    if not h:
        return _double(pt) if not r else INFINITY
    hh = h * h % P
    hhh = hh * h % P
    v = u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - s1 * hhh) % P, z1 * z2 * h % P


def _to_affine_many(points: list[Jacobian]) -> list[tuple[int, int]]:
    """Affine forms of many finite points with one inversion (Montgomery's trick)."""
    prefix = [1]
    for _, _, z in points:
        prefix.append(prefix[-1] * z % P)
    inv = pow(prefix[-1], -1, P)
    out: list[tuple[int, int]] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zi = inv * prefix[i] % P
        inv = inv * z % P
        zi2 = zi * zi % P
        out[i] = (x * zi2 % P, y * zi2 * zi % P)
    return out


# GLV endomorphism: λ·(x, y) = (β·x, y), with λ³ ≡ 1 (mod N) and β³ ≡ 1 (mod P). A 256-bit
# scalar k splits into k1 + k2·λ with |k1|, |k2| < 2^129, halving the doublings.
BETA = 0x7AE96A2B657C07106E64479EAC3434E99CF0497512F58995C1396C28719501EE
LAMBDA = 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72
_A1, _B1 = 0x3086D221A7D46BCDE86C90E49284EB15, -0xE4437ED6010E88286F547FA90ABFE4C3
_A2, _B2 = 0x114CA50F7A8E2F3F657C1108D9D44CFD8, 0x3086D221A7D46BCDE86C90E49284EB15

G_WIDTH = 7  # wNAF width for G, whose table is built once
R_WIDTH = 5  # wNAF width for the per-signature point R

_g_odd: list[tuple[int, int]] | None = None


def _split(k: int) -> tuple[int, int]:
    """k ≡ k1 + k2·λ (mod N) with both halves about 128 bits (signed)."""
    c1 = (_B2 * k + N // 2) // N
    c2 = (-_B1 * k + N // 2) // N
    return k - c1 * _A1 - c2 * _A2, -c1 * _B1 - c2 * _B2


def _odd_multiples(x: int, y: int, width: int) -> list[tuple[int, int]]:
    """1·Q, 3·Q, ..., (2^(width-1) - 1)·Q as affine points."""
    start: Jacobian = (x, y, 1)
    twice = _double(start)
    odd = [start]
    for _ in range((1 << (width - 2)) - 1):
        odd.append(_add(odd[-1], twice))
    return _to_affine_many(odd)


def _wnaf(k: int, width: int) -> list[int]:
    """Width-w non-adjacent form, least significant digit first (runs of zeros skipped in one step)."""
    digits: list[int] = []
    full, half, mask = 1 << width, 1 << (width - 1), (1 << width) - 1
    while k:
        zeros = (k & -k).bit_length() - 1
        if zeros:
            digits.extend([0] * zeros)
            k >>= zeros
        d = k & mask
        if d >= half:
            d -= full
        digits.append(d)
        k = (k - d) >> 1
    return digits


def _streams(k: int, table: list[tuple[int, int]], width: int) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """The two GLV halves of k·Q as (digits, table) streams, Q's table given."""
    k1, k2 = _split(k)
    table_lambda = [(BETA * x % P, y) for x, y in table]
    out = []
    for part, tab in ((k1, table), (k2, table_lambda)):
        if part < 0:
            part, tab = -part, [(x, P - y) for x, y in tab]
        out.append((_wnaf(part, width), tab))
    return out


def _multi_mul(streams: list[tuple[list[int], list[tuple[int, int]]]]) -> Jacobian:
    """Σ kᵢ·Qᵢ by interleaved wNAF (Straus): one shared chain of doublings.

    The doubling and mixed addition of `_double` / `_add_affine` are inlined here: this
    loop is the whole cost of a recovery, and call overhead is a third of it in CPython.
    """
    length = max(len(d) for d, _ in streams)
    events: list[list[tuple[int, int]]] = [[] for _ in range(length)]
    for digits, table in streams:
        for i, d in enumerate(digits):
            if d > 0:
                events[i].append(table[d >> 1])
            elif d < 0:
                x, y = table[(-d) >> 1]
                events[i].append((x, P - y))
    p = P  # a local: this loop is hot, and a global lookup per reduction adds up
    x1, y1, z1 = INFINITY
    for i in range(length - 1, -1, -1):
        if z1:
            yy = y1 * y1 % p
            s = 4 * x1 * yy % p
            m = 3 * x1 * x1 % p
            x3 = (m * m - 2 * s) % p
            y1, z1 = (m * (s - x3) - 8 * yy * yy) % p, 2 * y1 * z1 % p
            x1 = x3
        for qx, qy in events[i]:
            if not z1:
                x1, y1, z1 = qx, qy, 1
                continue
            zz = z1 * z1 % p
            h = (qx * zz - x1) % p
            r = (qy * zz * z1 - y1) % p
            if not h:
                x1, y1, z1 = _add_affine((x1, y1, z1), qx, qy)  # doubling or cancellation: rare
                continue
            hh = h * h % p
            hhh = hh * h % p
            v = x1 * hh % p
            x3 = (r * r - hhh - 2 * v) % p
            y1, z1 = (r * (v - x3) - y1 * hhh) % p, z1 * h % p
            x1 = x3
    return x1, y1, z1


def _g_table() -> list[tuple[int, int]]:
    global _g_odd
    if _g_odd is None:
        _g_odd = _odd_multiples(GX, GY, G_WIDTH)
    return _g_odd


def recover_public_key(message_hash: bytes, y_parity: int, r: int, s: int) -> bytes | None:
    """The 64-byte uncompressed public key (x || y) that signed `message_hash`, or None."""
    if y_parity not in (0, 1) or not (1 <= r < N and 1 <= s < N):
        return None
    x = r  # x = r + N is never reachable with y_parity in {0, 1}
    alpha = (pow(x, 3, P) + 7) % P
    y = pow(alpha, (P + 1) // 4, P)
    if y * y % P != alpha:
        return None
    if y & 1 != y_parity:
        y = P - y
    z = int.from_bytes(message_hash, "big") % N
    r_inv = pow(r, -1, N)
    u1 = (-z * r_inv) % N
    u2 = (s * r_inv) % N
    q = _multi_mul(_streams(u1, _g_table(), G_WIDTH) + _streams(u2, _odd_multiples(x, y, R_WIDTH), R_WIDTH))
    if not q[2]:
        return None
    ((qx, qy),) = _to_affine_many([q])
    return qx.to_bytes(32, "big") + qy.to_bytes(32, "big")


def _mul_g(k: int) -> Jacobian:
    return _multi_mul(_streams(k % N, _g_table(), G_WIDTH))


def public_key(private_key: int) -> tuple[int, int]:
    """The affine public point d·G of a private scalar d in [1, N)."""
    if not 1 <= private_key < N:
        raise ValueError("private key out of range")
    ((x, y),) = _to_affine_many([_mul_g(private_key)])
    return x, y


def _rfc6979_nonce(private_key: int, message_hash: bytes) -> int:
    """RFC 6979 §3.2 deterministic k with HMAC-SHA256 (qlen = hlen = 256)."""
    x = private_key.to_bytes(32, "big")
    h1 = (int.from_bytes(message_hash, "big") % N).to_bytes(32, "big")
    v, k = b"\x01" * 32, b"\x00" * 32
    k = hmac.new(k, v + b"\x00" + x + h1, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h1, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        candidate = int.from_bytes(v, "big")
        if 1 <= candidate < N:
            return candidate
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


def sign_recoverable(message_hash: bytes, private_key: int) -> tuple[int, int, int]:
    """A low-s ECDSA signature (y_parity, r, s) of a 32-byte hash, with an RFC 6979 nonce."""
    if len(message_hash) != 32 or not 1 <= private_key < N:
        raise ValueError("need a 32-byte hash and a private key in range")
    z = int.from_bytes(message_hash, "big") % N
    k = _rfc6979_nonce(private_key, message_hash)
    ((rx, ry),) = _to_affine_many([_mul_g(k)])
    r = rx % N
    s = pow(k, -1, N) * (z + r * private_key) % N
    y_parity = ry & 1  # (recovery ids 2 and 3, for x ≥ N, have probability ~2^-127 and are not used)
    if s > N // 2:  # EIP-2: low s; flipping s flips the recovery parity
        s, y_parity = N - s, y_parity ^ 1
    return y_parity, r, s
