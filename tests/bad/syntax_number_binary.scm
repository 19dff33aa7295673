a ~ Normal(0, 1)
mask = 0b1011 * a
