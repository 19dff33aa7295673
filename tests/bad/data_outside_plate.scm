data x
y ~ Normal(x, 1)
