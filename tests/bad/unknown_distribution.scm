y ~ Normall(0, 1)
