w ~ Normal(0.5.1, 1)
