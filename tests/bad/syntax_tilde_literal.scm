x ~ Normal(0, 1)
y ~ 3
