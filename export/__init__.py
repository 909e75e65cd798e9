"""From a checkpoint to shipped files: training data, tokenizer, the built-in model and its exports."""
