plate i {
  x ~ Uniform(2, 1)
  u ~ Uniform(low = 0.5 + 0.5)
}
