y ~ StudentT(loc=0, scale=1)
