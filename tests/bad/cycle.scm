a ~ Normal(c, 1)
b = 2 * a
c ~ Normal(b, 1)
