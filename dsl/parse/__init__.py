"""Front-end stage 1, parse: text to AST with Lark (LALR), and syntax errors people can act on."""
