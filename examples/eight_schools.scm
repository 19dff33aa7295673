# Eight schools, non-centred: each school's effect theta is mu + tau * theta_raw.
mu ~ Normal(0, 5)
tau ~ HalfCauchy(5)

plate school[8] {
  theta_raw ~ Normal(0, 1)
  theta = mu + tau * theta_raw
}

plate study {                     # one row per school: its estimate and standard error
  data school_of: school          # labels A..H are factorized; the labels become coords
  data sigma
  y ~ Normal(theta[school_of], sigma)
}

query y_if_mu_10 = E[y | do(mu = 10)]
