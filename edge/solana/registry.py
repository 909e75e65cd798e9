"""Every program the gate reads, by id: the runtime's and SPL's (`programs`) and the swap programs."""

from __future__ import annotations

from .programs import CORE_PROGRAMS, Program
from .swap_programs import SWAP_PROGRAMS

PROGRAMS: dict[str, Program] = {**CORE_PROGRAMS, **SWAP_PROGRAMS}
