plate i {
  x ~ Uniform(0, 1)
  y ~ Normal(x, 1)
}
do(x = 7)
