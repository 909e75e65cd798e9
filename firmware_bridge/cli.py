"""`dmind-edge device …`: run the emulator, and talk to a device from the host."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from dmind.edge import host_port, read_input, read_json_object, runtime_version
from rich.console import Console
from rich.progress import Progress

from .client import DEFAULT_URL, Device, DeviceError, sign_request
from .keys import TEST_MNEMONIC, seed_from_mnemonic
from .messages import encode_message, message
from .ur import encode_ur

app = typer.Typer(no_args_is_help=True, help="Hardware-wallet bridge: the device emulator and the host client.")
out = Console()
err = Console(stderr=True)
DeviceUrl = typer.Option(DEFAULT_URL, "--device", help="Device address (udp:HOST:PORT).")


@app.command()
def emulate(
    udp: str = typer.Option("127.0.0.1:21324", "--udp", help="HOST:PORT to listen on (port 0 picks a free one)."),
    state: Path = typer.Option(Path(".dmind-device"), "--state", help="Persistent device state (policy, pinned keys)."),
    trust_key: list[Path] = typer.Option([], "--trust-key", help="Pin a policy signer's public key (PEM)."),
    verifier_key: list[Path] = typer.Option(
        [], "--verifier-key", help="Pin a paired local verifier's public key (PEM)."
    ),
    mnemonic: str = typer.Option(TEST_MNEMONIC, "--mnemonic", help="Seed words (default: the public test mnemonic)."),
    debug: bool = typer.Option(False, "--debug", help="Accept DebugConfirm, the test hook for on-device confirmation."),
) -> None:
    """Run the device emulator: the gate and the key behind the framing, over UDP."""
    from .emulator import serve
    from .firmware import Firmware, provision

    host, port = host_port(udp, "--udp")
    provision(state, trust_key, verifier_key)
    device = Firmware(seed_from_mnemonic(mnemonic), state, runtime_version(), debug=debug)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    def ready(bound: int) -> None:
        # One parseable line on stdout: tests and scripts wait for it.
        print(
            json.dumps({"listening": f"udp:{host}:{bound}", "address": device.handle(message("GetInfo"))["address"]}),
            flush=True,
        )

    try:
        asyncio.run(serve(device, host, port, ready))
    except KeyboardInterrupt:
        pass


def _call(url: str, action):
    try:
        with Progress(transient=True, console=err) as progress:
            task = progress.add_task("sending", total=None)
            with Device.open(
                url, progress=lambda done, total: progress.update(task, completed=done, total=total)
            ) as device:
                return action(device)
    except DeviceError as exc:
        err.print(f"[red]{exc.code}[/red] {getattr(exc, 'message', exc)}")
        raise typer.Exit(1) from exc


def _request(file: str) -> dict:
    return read_json_object(file)


@app.command()
def qr(
    file: str = typer.Argument("-", help="JSON request (as for `check`), or - for stdin."),
    path: str = typer.Option("m/44'/60'/0'/0/0", "--path", help="BIP-32 derivation path."),
) -> None:
    """Print the sign request as a UR (`ur:dmind-msg/…`) for an air-gapped device to scan, with its QR code."""
    from .firmware import UR_TYPE

    text = encode_ur(UR_TYPE, encode_message(sign_request(_request(file), path)))
    out.print(text, soft_wrap=True)
    try:
        import qrcode
    except ImportError:
        return
    code = qrcode.QRCode(border=1)
    code.add_data(text.upper())  # upper case fits QR alphanumeric mode
    code.print_ascii(out=sys.stderr, invert=True)


@app.command()
def airgap(
    state: Path = typer.Option(Path(".dmind-device"), "--state", help="Persistent device state (policy, pinned keys)."),
    mnemonic: str = typer.Option(TEST_MNEMONIC, "--mnemonic", help="Seed words (default: the public test mnemonic)."),
) -> None:
    """The emulator without a link: read one UR per line on standard input, print the answer as a UR."""
    from .firmware import Firmware

    device = Firmware(seed_from_mnemonic(mnemonic), state, runtime_version())
    for line in sys.stdin:
        if line.strip():
            print(device.handle_ur(line), flush=True)


@app.command()
def confirm(
    deny: bool = typer.Option(False, "--deny", help="Answer no instead of yes."), device: str = DeviceUrl
) -> None:
    """Answer the emulator's next on-device confirmation (it must run with --debug), as the user's button would.

    The answer holds for the next `device sign` only.
    """
    _call(device, lambda d: d.debug_confirm(not deny))
    err.print(f"the device will {'refuse' if deny else 'sign'} the next request that needs the user's confirmation")


@app.command()
def info(device: str = DeviceUrl) -> None:
    """Show the device's identity, address and active policy."""
    out.print_json(json.dumps(_call(device, lambda d: d.info()).fields))


@app.command("load-policy")
def load_policy(
    bundle: Path = typer.Argument(..., help="Signed policy bundle (.cbor)."), device: str = DeviceUrl
) -> None:
    """Send a signed policy bundle; the device verifies it and activates it or refuses."""
    data = read_input(bundle, "the bundle")
    out.print_json(json.dumps(_call(device, lambda d: d.load_policy(data)).fields))


@app.command()
def evaluate(
    file: str = typer.Argument("-", help="JSON request (as for `check`), or - for stdin."), device: str = DeviceUrl
) -> None:
    """Ask the device's gate for a decision."""
    request = _request(file)
    out.print_json(json.dumps(_call(device, lambda d: d.evaluate(request))))


@app.command()
def sign(
    file: str = typer.Argument("-", help="JSON request (as for `check`), or - for stdin."),
    path: str = typer.Option("m/44'/60'/0'/0/0", "--path", help="BIP-32 derivation path."),
    verdict: Optional[Path] = typer.Option(
        None, "--verdict", help="The local verifier's signed verdict for this payload (`check --local --verdict-out`)."
    ),
    device: str = DeviceUrl,
) -> None:
    """Ask the device to sign; it refuses what its gate blocks.

    A STEP_UP is signed with the verifier's ALLOW verdict (the request id it answers travels inside
    it), or once the user confirms on the device (`dmind-edge device confirm` on the emulator).
    """
    from dmind.edge import VerdictError, verdict_request_id

    request = _request(file)
    verdict_bytes = read_input(verdict, "the verdict") if verdict else None
    try:
        request_id = verdict_request_id(verdict_bytes) if verdict_bytes is not None else None
    except VerdictError as exc:
        err.print(f"[red]{exc.code}[/red] {verdict}: {exc.message}")
        raise typer.Exit(2) from exc
    signature = _call(device, lambda d: d.sign(request, path, verdict_bytes, request_id=request_id))
    out.print_json(
        json.dumps(
            {
                "digest": "0x" + signature["digest"].hex(),
                "signature": "0x" + signature["signature"].hex(),
                "decision": signature["decision"],
            }
        )
    )
