# arithmetic on numbers only is as constant as a literal
sigma ~ HalfNormal(0 - 1)
plate i {
  y ~ Normal(0, 2 * -1)
  k ~ Binomial(10 / 0, 0.5)
}
