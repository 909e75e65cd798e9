"""The firmware bridge: the gate on a hardware wallet's coprocessor, the framing and messages
a companion app uses to reach it, a device emulator that refuses to sign what the gate
blocks, and the host client."""

from .client import Device, DeviceError, DeviceFailure, DeviceTimeout

__all__ = ["Device", "DeviceError", "DeviceFailure", "DeviceTimeout"]
