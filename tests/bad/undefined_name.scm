mu_y ~ Normal(0, 1)
y ~ Normal(mu_x, 1)
