a ~ Normal(0, 1)
data = a + 1
