a ~ Normal(0, 1)
b ~ Normall(a, 1)
c = a + d
a ~ Normal(1, 1)
do(e = 1)
