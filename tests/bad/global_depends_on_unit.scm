plate i {
  a ~ Normal(0, 1)
}
g ~ Normal(a, 1)
