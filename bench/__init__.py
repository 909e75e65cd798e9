"""`dmind-edge bench`: the whole stack measured, with the DMind-3 paper's figures beside ours (`dmind.bench`)."""
