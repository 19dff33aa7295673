"""Front-end stage 2, check: the passes over the AST that build the checked model (IR)."""
