"""Solidity ABI: type strings, function signatures and a strict pure-Python decoder."""
