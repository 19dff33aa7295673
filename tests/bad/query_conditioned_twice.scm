z ~ Normal(0, 1)
x ~ Normal(z, 1)
y ~ Normal(x + z, 1)
query q = E[y | x = 1, z = 0, x = 2]
