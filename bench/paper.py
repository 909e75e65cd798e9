"""The DMind-3 paper's figures that `dmind-edge bench` prints beside ours (arXiv 2602.11651).

Only figures this project has on record are here; a table cell without one prints as "-".
The paper's latencies include real model inference on its tiers (a 4B local model, a 21B
cloud model); ours time the transport and logic with the built-in nano model.
"""

from __future__ import annotations

# Table 5: p50 / p95 / p99 in milliseconds.
LATENCY_MS = {
    "edge → local": (210, 460, 720),
    "edge → cloud": (140, 310, 520),
    "edge → cloud → local": (360, 740, 1150),
}
# Table 2: DMind-3 on protocol-constrained tasks (abstract: 93.7% multi-turn success; function recognition 98.8).
STRUCTURED = {"function_recognition": 0.988, "multi_turn_success": 0.937}
# Table 6: share of sanitized projections that leak a planted secret, per privacy profile.
SANITIZATION_VIOLATIONS = {"default": 0.0008, "strict": 0.0}
# FunctionGemma 270M, int8 on a phone CPU with 4 threads (Google's published on-device figure).
ON_DEVICE = {"decode_tokens_per_s": 126.0, "ttft_s": 0.3}
