z ~ Normal(0, 1)
x = z
y ~ Normal(2 * z, 1)
query seen = E[y | x = 3]
