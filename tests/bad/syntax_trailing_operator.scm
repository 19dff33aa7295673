a ~ Normal(0, 1)
b = a +
  1
