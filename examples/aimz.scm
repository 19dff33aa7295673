# aimz's confounded example: c confounds z and y; x is an observed input that moves z only.
beta_cz ~ Normal(0, 1)
beta_cy ~ Normal(0, 1)
beta_xz ~ Normal(0, 1)
beta_zy ~ Normal(0, 1)
beta_z ~ Normal(0, 1)
beta_y ~ Normal(0, 1)
sigma ~ Exponential(1)

plate obs {
  data x                                      # exogenous input column, not modelled
  c ~ Exponential(1)
  z ~ LogNormal(beta_z + beta_cz * c + beta_xz * x, sigma)
  y ~ Bernoulli(logits = beta_y + beta_cy * c + beta_zy * z)
}

query z_effect = E[y | do(z = 2)] - E[y | do(z = 1)]
