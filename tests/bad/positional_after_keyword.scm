y ~ StudentT(df=3, 0, 1)
