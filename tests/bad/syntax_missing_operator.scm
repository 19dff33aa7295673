a ~ Normal(0, 1)
b ~ Normal(2 a, 1)
