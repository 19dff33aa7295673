s ~ HalfNormal(1)
plate i {
  x ~ HalfNormal(1)
  y ~ Normal(x, 1)
}
do(x ~ Beta(1, 1 - 1), s ~ Uniform(3, 2 + 1))
