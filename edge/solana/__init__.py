"""Solana at the signing boundary: the wire format, the programs a wallet meets, and what their instructions do.

Pure Python on the gate's path: base58, compact-u16, the legacy and v0 message, Ed25519's
on-curve check for program-derived addresses. `solders` only cross-checks it in the tests.
"""
