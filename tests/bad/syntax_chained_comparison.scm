a ~ Normal(0, 1)
y = 0 < a < 1
