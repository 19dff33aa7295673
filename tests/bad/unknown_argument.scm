y ~ Normal(loc=0, sd=1)
