"""Rules on what is signed and for whom: blind hashes, chain and signer context, sign-in domains."""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from ..findings import Finding, finding
from ..types import PayloadKind
from ..units import Address
from .context import RuleContext, same_address

# EIP-4361: "${scheme}://${domain} wants you to sign in with your Ethereum account:" (the scheme optional, https by
# default); Sign-In With Solana writes the same line with "Solana".
_SIWE_PHRASE = re.compile(r" wants you to sign in with your (?:ethereum|solana) account", re.I)
_SIWE = re.compile(
    r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<domain>[^\s/]+) wants you to sign in with your (?:Ethereum|Solana) "
    r"account:?",
    re.I,
)


def blind_signature(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.payload.kind == PayloadKind.RAW_HASH:
        yield finding("BLIND_SIGNATURE", "params[1]", digest=ctx.payload.digest.hex())


def chain_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    wallet, payload = ctx.request.chain_id, ctx.payload.chain_id
    if wallet is not None and payload is not None and wallet != payload:
        yield finding("CHAIN_ID_MISMATCH", "chainId", key="payload", chain_id=payload, wallet=wallet)


def typed_data_without_chain(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.payload.typed_data is not None and "chainId" not in ctx.payload.typed_data.domain:
        yield finding("TYPED_DATA_NO_CHAIN_ID", "domain", primary_type=ctx.payload.typed_data.primary_type)


def chain_context_missing(ctx: RuleContext) -> Iterator[Finding]:
    if (
        ctx.policy.require_chain_context
        and ctx.request.chain_id is None
        and ctx.payload.kind in ("transaction", "batch", "typed_data")
    ):
        yield finding("CHAIN_CONTEXT_MISSING", "chainId")


def signer_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    account, signer = ctx.request.account, ctx.payload.signer
    if account is not None and signer is not None and not same_address(account, signer):
        yield finding("SIGNER_MISMATCH", "from", key="payload", signer=Address(signer), account=Address(account))


def origin_of(origin: str) -> tuple[str, str] | None:
    """(scheme, host[:port]) of a requesting site's origin (https where it names none), or None where it cannot be read."""
    try:
        parts = urlsplit(origin if "://" in origin else f"https://{origin}")
    except ValueError:  # "http://[::1" and other malformed netlocs
        return None
    return (parts.scheme.lower(), parts.netloc.lower()) if parts.netloc else None


def _is_sign_in(text: str) -> bool:
    """Any line carrying the EIP-4361 phrase makes a sign-in, whatever the line endings or leading blank lines: a
    parser that strips them would still show the user one."""
    return _SIWE_PHRASE.search(text) is not None


def _claimed(text: str) -> tuple[str, str] | None:
    """What a sign-in message claims, (scheme, domain); None where its sign-in line names no readable domain."""
    line = next((line for line in text.splitlines() if _SIWE_PHRASE.search(line)), "")
    match = _SIWE.fullmatch(line.strip())
    if not match:
        return None
    return (match.group("scheme") or "https").lower(), match.group("domain").lower()


def siwe_domain(ctx: RuleContext) -> Iterator[Finding]:
    """A sign-in message must name the site (scheme and host) that asks for it; with nothing to compare, it is not
    allowed blind."""
    if ctx.payload.kind != "message" or ctx.payload.message is None:
        return
    text = ctx.payload.message.decode("utf-8", "replace")
    if not _is_sign_in(text):
        return
    claimed = _claimed(text)
    origin = origin_of(ctx.request.origin) if ctx.request.origin else None
    if claimed is None or origin is None:
        yield finding("SIWE_ORIGIN_UNKNOWN", "origin", key="no_domain" if claimed is None else "no_origin")
    elif claimed != origin:
        yield finding("SIWE_DOMAIN_MISMATCH", "message", claimed="://".join(claimed), origin="://".join(origin))
