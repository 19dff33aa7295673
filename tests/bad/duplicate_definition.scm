a ~ Normal(0, 1)
b = 2 * a
a ~ Normal(1, 1)
