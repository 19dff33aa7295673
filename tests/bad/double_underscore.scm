mu__0 ~ Normal(0, 1)
plate i {
  y ~ Normal(mu__0, 1)
}
