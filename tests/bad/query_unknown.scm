x ~ Normal(0, 1)
y ~ Normal(x, 1)
query q = E[w | do(x = 1)]
