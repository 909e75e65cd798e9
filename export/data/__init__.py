"""Synthetic conversations for the nano intent model."""
