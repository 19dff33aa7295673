plate voter[250000000] {
  turnout ~ Bernoulli(0.6)
}
