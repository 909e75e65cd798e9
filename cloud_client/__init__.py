"""The optional cloud tier's client side: the sanitized projection P_pub and its audit."""
