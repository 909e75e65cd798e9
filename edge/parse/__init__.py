"""Request parsing: each EIP-1193 method to a `Payload` with the exact signing bytes."""
