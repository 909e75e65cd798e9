"""The verifier's console: a local admin page on loopback, plain HTTP, served next to the TLS daemon.

What it shows: recent verifications, requests waiting for your approve or deny, your private
context (view, add, remove, import) and the paired devices (unpair). Server-rendered HTML with
inline CSS and no script or external asset, so it works offline.

How it is protected, as a page that can allow a signature must be:
- it binds to a loopback address only, and answers only requests whose Host is that address
  (a DNS-rebinding page that reaches the port by another name gets 421);
- a secret printed by `dmind-edge local serve` and `local console` opens a session: the link
  sets an HttpOnly, SameSite=Strict cookie and the secret leaves the address bar;
- every change is a POST that must come from this origin (Origin header) and carry the
  session's CSRF token; pages forbid framing and scripts (Content-Security-Policy).
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from aiohttp import web
from dmind.edge import EdgeError, loads_strict
from dmind.policies.keyfiles import write_private

from .activity import Activity, Verification
from .store import ContextStore, StoreError

SECRET_FILE = "console.secret"
COOKIE = "dmind_console"
MAX_SESSIONS = 32  # the oldest session ends when another opens beyond this
MAX_FORM_BYTES = 256 * 1024
MAX_SHOWN_REQUEST = 8 * 1024
KINDS = ("contact", "interaction", "holding", "allow", "deny")
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make the browser send `Origin: null` on our own forms
    "Cache-Control": "no-store",
}
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232b;background:#f5f6f8}
nav{background:#1d232b;padding:.6em 1.2em}nav a{color:#fff;margin-right:1.4em;text-decoration:none}
main{max-width:1100px;margin:1.2em auto;padding:0 1.2em}h2{margin-top:1.6em}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #e1e4e8;
padding:.35em .6em;text-align:left;vertical-align:top}code,pre{font:13px ui-monospace,monospace}
pre{white-space:pre-wrap;word-break:break-all;background:#fff;padding:.6em;max-height:22em;overflow:auto}
.ALLOW{color:#17723b;font-weight:600}.BLOCK{color:#b3261e;font-weight:600}.STEP_UP{color:#9a6700;font-weight:600}
.card{background:#fff;border:1px solid #e1e4e8;border-left:4px solid #9a6700;padding:.8em 1em;margin:.8em 0}
.error{background:#fdecea;border:1px solid #b3261e;padding:.6em 1em}.ok{background:#e8f5ec;padding:.6em 1em}
button{padding:.3em .9em;margin-right:.4em}input,select,textarea{font:inherit;margin-right:.4em}
"""


def console_secret(state: Path) -> str:
    """The console's secret, made on first use (mode 0600) and kept across restarts."""
    path = state / SECRET_FILE
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32).encode())
    return path.read_text().strip()


def console_url(host: str, port: int, secret: str) -> str:
    return f"http://{host}:{port}/login?secret={secret}"


def check_loopback(host: str) -> None:
    """Refuse to serve the console anywhere but this machine."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the console serves loopback only (127.0.0.1 or localhost), not {host!r}")


def _same(given: str, secret: str) -> bool:
    """Constant-time comparison; bytes, because compare_digest refuses non-ASCII text (a 500, not a refusal)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), secret.encode())


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _when(at: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _table(columns: Iterable[str], rows: Iterable[Iterable[str]], empty: str) -> str:
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not body:
        return f"<p>{_e(empty)}</p>"
    return "<table><tr>" + "".join(f"<th>{_e(c)}</th>" for c in columns) + f"</tr>{body}</table>"


def _request_text(request: dict) -> str:
    """The request as JSON, cut at `MAX_SHOWN_REQUEST` characters: a dapp chooses its size, not the page's."""
    text = json.dumps(request, indent=2)
    return (
        text if len(text) <= MAX_SHOWN_REQUEST else text[:MAX_SHOWN_REQUEST] + f"\n… ({len(text):,} characters in all)"
    )


def _findings(verification: Verification) -> str:
    rows = [(_e(f.severity), f"<code>{_e(f.code)}</code>", _e(f.message)) for f in verification.findings]
    return _table(("severity", "code", "what it means"), rows, "no findings")


class Console:
    """The console's sessions and pages over the daemon's store and activity."""

    def __init__(self, store: ContextStore, activity: Activity, secret: str) -> None:
        self.store = store
        self.activity = activity
        self.secret = secret
        self.sessions: dict[str, str] = {}  # session id -> CSRF token
        self.origins: set[str] = set()  # http://host:port for each name of the bound address, once listening

    def listening(self, host: str, port: int) -> None:
        names = {host, "127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else {host}
        self.origins = {f"{name}:{port}" if ":" not in name else f"[{name}]:{port}" for name in names}

    # protection ---------------------------------------------------------------------------

    @web.middleware
    async def guard(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        if request.host not in self.origins:
            return self._plain("This console answers only on its loopback address.", 421)
        if request.path != "/login":
            session = request.cookies.get(COOKIE, "")
            if session not in self.sessions:
                return self._plain("Open the link that `dmind-edge local console` prints to sign in.", 401)
            if request.method == "POST":
                origin = request.headers.get("Origin", "")
                site = request.headers.get("Sec-Fetch-Site", "same-origin")  # browsers say where a request comes from
                if origin != f"http://{request.host}" or site != "same-origin":
                    return self._plain("Changes are accepted only from this console's own pages.", 403)
                form = await request.post()  # read only once the origin is ours
                if not _same(str(form.get("csrf", "")), self.sessions[session]):
                    return self._plain("This form has expired: reload the page and try again.", 403)
        try:
            response = await handler(request)
        except web.HTTPException as moved:  # redirects and 404s carry the same headers as pages
            moved.headers.update(HEADERS)
            raise
        response.headers.update(HEADERS)
        return response

    def _plain(self, text: str, status: int) -> web.Response:
        return web.Response(
            text=self._page("dmind verifier", f'<p class="error">{_e(text)}</p>', ""),
            status=status,
            content_type="text/html",
            headers=HEADERS,
        )

    async def login(self, request: web.Request) -> web.Response:
        if not _same(request.query.get("secret", ""), self.secret):
            return self._plain("That link is not this console's: use the one `dmind-edge local console` prints.", 403)
        if len(self.sessions) >= MAX_SESSIONS:
            del self.sessions[next(iter(self.sessions))]
        session = secrets.token_urlsafe(32)
        self.sessions[session] = secrets.token_urlsafe(32)
        moved = web.HTTPSeeOther("/")  # the secret leaves the address bar and the history
        moved.set_cookie(COOKIE, session, httponly=True, samesite="Strict", path="/")
        raise moved

    # pages --------------------------------------------------------------------------------

    def _page(self, title: str, body: str, csrf: str, refresh: bool = False) -> str:
        meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
        nav = (
            ""
            if not csrf
            else '<nav><a href="/">Verifications</a><a href="/context">Context</a><a href="/devices">Devices</a></nav>'
        )
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8">{meta}<title>{_e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{nav}<main><h1>{_e(title)}</h1>{body}</main></body></html>"
        )

    def _form(self, csrf: str, action: str, fields: dict[str, str], label: str, name: str = "") -> str:
        hidden = "".join(f'<input type="hidden" name="{_e(k)}" value="{_e(v)}">' for k, v in fields.items())
        return (
            f'<form method="post" action="{_e(action)}" style="display:inline">'
            f'<input type="hidden" name="csrf" value="{_e(csrf)}">{hidden}'
            f'<button type="submit" name="{_e(name or "go")}">{_e(label)}</button></form>'
        )

    def _html(self, request: web.Request, title: str, body: str, status: int = 200, refresh: bool = False):
        csrf = self.sessions[request.cookies[COOKIE]]
        return web.Response(text=self._page(title, body, csrf, refresh), status=status, content_type="text/html")

    async def home(self, request: web.Request) -> web.Response:
        csrf = self.sessions[request.cookies[COOKIE]]
        waiting = []
        for pending in self.activity.pending.values():  # in arrival order: a new card never lands above an old one
            v = pending.verification
            waiting.append(
                f'<div class="card" id="pending-{_e(v.request_id)}"><p><b>{_e(v.device)}</b> asks to sign request '
                f"<code>{_e(v.request_id[:16])}</code>. The verifier would block it: {_e(v.explanation)}</p>"
                f"<p>What it does:</p><pre>{_e(chr(10).join(v.actions) or '(nothing decoded)')}</pre>"
                f"{_findings(v)}<details><summary>the request</summary><pre>{_e(_request_text(v.request))}"
                f"</pre></details><p>Answer before {_when(pending.deadline)}; no answer blocks it.</p>"
                + self._form(csrf, "/decide", {"request_id": v.request_id, "answer": "approve"}, "Approve", "approve")
                + self._form(csrf, "/decide", {"request_id": v.request_id, "answer": "deny"}, "Deny", "deny")
                + "</div>"
            )
        recent = [
            (
                _when(v.at),
                _e(v.device),
                f'<span class="{_e(v.decision)}">{_e(v.decision)}</span>',
                _e(v.decided_by),
                f"{v.risk:.2f}",
                f"{_e(v.explanation)}<details><summary>what it does, findings, request</summary>"
                f"<pre>{_e(chr(10).join(v.actions))}</pre>{_findings(v)}"
                f"<pre>{_e(_request_text(v.request))}</pre></details>",
            )
            for v in self.activity.recent
        ]
        body = (
            "<h2>Waiting for you</h2>"
            + ("".join(waiting) or "<p>Nothing waits for your decision.</p>")
            + "<h2>Recent verifications</h2>"
            + _table(("when", "device", "decision", "decided by", "risk", "why"), recent, "No verifications yet.")
        )
        # Refresh only while nothing waits: a page that moves under your click could approve another request.
        return self._html(request, "dmind verifier", body, refresh=not self.activity.pending)

    async def decide(self, request: web.Request) -> web.Response:
        form = await request.post()
        answer = str(form.get("answer", ""))
        if answer not in ("approve", "deny") or not self.activity.answer(
            str(form.get("request_id", "")), answer == "approve"
        ):
            return self._html(
                request,
                "dmind verifier",
                '<p class="error">That request no longer waits for an '
                'answer (it was answered or expired).</p><p><a href="/">back</a></p>',
                409,
            )
        raise web.HTTPSeeOther("/")

    def _context(self, request: web.Request, notice: str = "", status: int = 200) -> web.Response:
        csrf = self.sessions[request.cookies[COOKIE]]

        def remove(kind: str, address: str) -> str:
            return self._form(csrf, "/context/remove", {"kind": kind, "address": address}, "Remove")

        sections: list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]] = [
            (
                "Contacts",
                ("label", "address", "added", ""),
                [
                    (_e(label), f"<code>{_e(a)}</code>", _when(at), remove("contact", a))
                    for a, label, at in self.store.contacts()
                ],
            ),
            (
                "Holdings and exposure limits (base units)",
                ("token", "amount", "limit", ""),
                [
                    (f"<code>{_e(t)}</code>", _e(amount), _e("none" if limit is None else limit), remove("holding", t))
                    for t, amount, limit in self.store.holdings()
                ],
            ),
            (
                "Allow and deny lists",
                ("list", "address", ""),
                [(_e(which), f"<code>{_e(a)}</code>", remove(which, a)) for a, which in self.store.lists()],
            ),
            (
                "Interaction history",
                ("counterparty", "kind", "times", "last", ""),
                [
                    (f"<code>{_e(a)}</code>", _e(kind), _e(n), _when(last), remove("interaction", a))
                    for a, kind, n, last in self.store.interactions()
                ],
            ),
        ]
        options = "".join(f"<option>{k}</option>" for k in KINDS)
        body = notice + (
            '<h2>Add</h2><form method="post" action="/context/add">'
            f'<input type="hidden" name="csrf" value="{_e(csrf)}"><select name="kind">{options}</select>'
            '<input name="address" placeholder="0x… address (holding: the token)" size="46" required>'
            '<input name="value" placeholder="label · send|approve|receive · amount[:limit]" size="34">'
            '<button type="submit" name="add">Add</button></form>'
        )
        for title, columns, rows in sections:
            body += f"<h2>{_e(title)}</h2>" + _table(columns, rows, "none")
        body += (
            '<h2>Import</h2><form method="post" action="/context/import">'
            f'<input type="hidden" name="csrf" value="{_e(csrf)}">'
            '<textarea name="context" rows="6" cols="90" placeholder=\'{"contacts": {"0x…": "Alice"}, '
            '"holdings": {"0x…": {"amount": 0, "limit": 0}}, "allow": [], "deny": []}\'></textarea><br>'
            '<button type="submit" name="import">Import</button></form>'
        )
        return self._html(request, "Your private context", body, status)

    async def context(self, request: web.Request) -> web.Response:
        return self._context(request)

    async def _change(self, request: web.Request, change: Callable[[Any], str]) -> web.Response:
        form = await request.post()
        try:
            done = change(form)
        except (StoreError, EdgeError) as exc:
            return self._context(request, f'<p class="error"><code>{_e(exc.code)}</code> {_e(exc.message)}</p>', 400)
        return self._context(request, f'<p class="ok">{_e(done)}</p>')

    async def context_add(self, request: web.Request) -> web.Response:
        def add(form: Any) -> str:
            kind, address = str(form.get("kind", "")), str(form.get("address", "")).strip()
            self.store.add_fact(kind, address, str(form.get("value", "")).strip())
            return f"added {kind} {address}"

        return await self._change(request, add)

    async def context_remove(self, request: web.Request) -> web.Response:
        def remove(form: Any) -> str:
            kind, address = str(form.get("kind", "")), str(form.get("address", ""))
            if not self.store.remove_fact(kind, address):
                raise StoreError("CONTEXT_INVALID", f"there is no {kind} {address} to remove")
            return f"removed {kind} {address}"

        return await self._change(request, remove)

    async def context_import(self, request: web.Request) -> web.Response:
        def load(form: Any) -> str:
            data = loads_strict(str(form.get("context", "")), "the context")
            if not isinstance(data, dict):
                raise StoreError("CONTEXT_INVALID", "the context is a JSON object of sections")
            self.store.import_context(data)
            return "imported"

        return await self._change(request, load)

    def _devices(self, request: web.Request, notice: str = "", status: int = 200) -> web.Response:
        csrf = self.sessions[request.cookies[COOKIE]]
        rows = [
            (
                _e(p.name),
                f"<code>{_e(p.device_id)}</code>",
                _when(p.paired_at),
                "active" if p.revoked_at is None else f"unpaired {_when(p.revoked_at)}",
                ""
                if p.revoked_at is not None
                else self._form(csrf, "/devices/unpair", {"device_id": p.device_id}, "Unpair"),
            )
            for p in self.store.pairings()
        ]
        body = notice + _table(("name", "device", "paired", "state", ""), rows, "No device is paired yet.")
        return self._html(request, "Paired devices", body, status)

    async def devices(self, request: web.Request) -> web.Response:
        return self._devices(request)

    async def unpair(self, request: web.Request) -> web.Response:
        device = str((await request.post()).get("device_id", ""))
        if not self.store.revoke(device, int(time.time())):
            return self._devices(request, f'<p class="error">No active pairing {_e(device)}.</p>', 400)
        self.activity.forget_device(device)
        return self._devices(request, f'<p class="ok">Unpaired {_e(device)}: its requests are refused from now on.</p>')

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_FORM_BYTES, middlewares=[self.guard])
        app.add_routes(
            [
                web.get("/login", self.login),
                web.get("/", self.home),
                web.post("/decide", self.decide),
                web.get("/context", self.context),
                web.post("/context/add", self.context_add),
                web.post("/context/remove", self.context_remove),
                web.post("/context/import", self.context_import),
                web.get("/devices", self.devices),
                web.post("/devices/unpair", self.unpair),
            ]
        )
        return app
