y ~ Normal(0, 1)
query sqrt = E[y]
z = y * log
