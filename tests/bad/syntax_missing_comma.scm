a ~ Normal(0, 1)
y ~ Normal(a sigma=2)
