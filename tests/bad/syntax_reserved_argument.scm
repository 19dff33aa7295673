y ~ Normal(0, factual=1)
