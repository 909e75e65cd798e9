"""The nano intent model: FunctionGemma protocol, tools, decoding grammar and runtimes."""
