x ~ Normal(0, 1)
E = 2 * x
