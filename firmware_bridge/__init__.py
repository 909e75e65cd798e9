"""The firmware bridge: the gate on a hardware wallet's coprocessor, the framing and messages
a companion app uses to reach it, a device emulator that refuses to sign what the gate
blocks, and the host client."""

from .client import Device, DeviceError, DeviceFailure, DeviceTimeout, sign_request
from .firmware import UR_TYPE, Firmware

__all__ = ["UR_TYPE", "Device", "DeviceError", "DeviceFailure", "DeviceTimeout", "Firmware", "sign_request"]
