"""Rules on what is signed and for whom: blind hashes, chain and signer context, sign-in domains."""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from ..findings import Finding, finding
from .context import RuleContext, same_address

# EIP-4361: "${domain} wants you to sign in with your Ethereum account:"
_SIWE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?P<domain>[^\s/]+) wants you to sign in with your Ethereum account:\n", re.I)


def blind_signature(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.payload.kind == "raw_hash":
        yield finding("BLIND_SIGNATURE", f"eth_sign asks to sign the raw hash 0x{ctx.payload.digest.hex()}; no wallet can show what that authorizes", "params[1]")


def chain_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    wallet, payload = ctx.request.chain_id, ctx.payload.chain_id
    if wallet is not None and payload is not None and wallet != payload:
        yield finding("CHAIN_ID_MISMATCH", f"the payload is for chain {payload}, the wallet is on chain {wallet}", "chainId")


def typed_data_without_chain(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.payload.typed_data is not None and "chainId" not in ctx.payload.typed_data.domain:
        yield finding("TYPED_DATA_NO_CHAIN_ID", f"the {ctx.payload.typed_data.primary_type} domain has no chainId: the signature is valid on every chain", "domain")


def chain_context_missing(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.policy.require_chain_context and ctx.request.chain_id is None and ctx.payload.kind in ("transaction", "batch", "typed_data"):
        yield finding("CHAIN_CONTEXT_MISSING", "the request does not say which chain the wallet is on, so the payload's chain cannot be checked", "chainId")


def signer_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    account, signer = ctx.request.account, ctx.payload.signer
    if account is not None and signer is not None and not same_address(account, signer):
        yield finding("SIGNER_MISMATCH", f"the payload is signed by {signer}, the wallet's account is {account}", "from")


def origin_host(origin: str) -> str | None:
    """The host[:port] of a requesting site's origin, or None where the origin cannot be read."""
    try:
        return urlsplit(origin if "://" in origin else f"https://{origin}").netloc.lower() or None
    except ValueError:  # "http://[::1" and other malformed netlocs
        return None


def siwe_domain(ctx: RuleContext) -> Iterator[Finding]:
    """A sign-in message must name the site that asks for it; with no readable site to compare, it is not allowed blind."""
    if ctx.payload.kind != "message" or ctx.payload.message is None:
        return
    match = _SIWE.match(ctx.payload.message.decode("utf-8", "replace"))
    if not match:
        return
    host = origin_host(ctx.request.origin) if ctx.request.origin else None
    if host is None:
        yield finding("SIWE_ORIGIN_UNKNOWN", f"the sign-in message is for {match.group('domain')}, and the request says no "
                                             "readable requesting site to check that against", "origin")
    elif match.group("domain").lower() != host:
        yield finding("SIWE_DOMAIN_MISMATCH", f"the sign-in message is for {match.group('domain')}, but {host} asked for it", "message")
