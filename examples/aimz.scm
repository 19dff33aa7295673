# aimz's confounded example: c confounds z and y; x is an observed input that moves z only.
# As in aimz's guide, c is observed, and the question is the effect of setting z to zero
# against the factual z (a do() leaves the old mechanism's support: z ~ LogNormal is never 0).
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

query z_effect = E[y | do(z = 0)] - E[y]      # the effect of do(z = 0) against the factual z
