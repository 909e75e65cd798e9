"""Decoding a Payload into an Intent: calldata trees, Universal Router plans, typed-data schemas."""
