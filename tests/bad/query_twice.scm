x ~ Normal(0, 1)
query q = E[x]
query q = E[x | do(x = 1)]
