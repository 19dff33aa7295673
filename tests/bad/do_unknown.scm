x ~ Normal(0, 1)
y ~ Normal(x, 1)
do(z = 1)
