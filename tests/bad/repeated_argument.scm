y ~ Normal(0, 1, loc=2)
