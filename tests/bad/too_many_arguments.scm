y ~ HalfNormal(1, 2)
