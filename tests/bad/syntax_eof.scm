y ~ Normal(0, 1
