"""The shipped adapter for Gemma 3 270M (data only): see MODEL_CARD.md."""
