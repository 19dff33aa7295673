# The PyMC do-operator tutorial's model: y depends linearly on a, b and c.
# Simulate with known coefficients:  docalc simulate linear.scm --n 100 --seed 1 \
#   --do "beta_ay = 1.5, beta_by = 0.7, beta_cy = 0.3, sigma_y = 0.2, beta_y0 = 0" -o linear.csv
beta_y0 ~ Normal(0, 1)            # global (one value per model)
beta_ay ~ Normal(0, 1)
beta_by ~ Normal(0, 1)
beta_cy ~ Normal(0, 1)
sigma_y ~ HalfNormal(1)

plate i {                         # one value per unit (row of data)
  a ~ Normal(0, 1)
  b ~ Normal(0, 1)
  c ~ Normal(0, 1)
  y_mu = beta_y0 + beta_ay * a + beta_by * b + beta_cy * c   # deterministic node
  y ~ Normal(y_mu, sigma_y)
}

# the tutorial's two what-if scenarios, and the effect and counterfactual behind them
query y_if_b0  = E[y | do(b = 0)]
query y_if_5b  = E[y | do(b = 5 * b)]
query ate      = E[y | do(b = 1)] - E[y | do(b = 0)]
query cf_b0    = E[y | do(b = 0), factual]
