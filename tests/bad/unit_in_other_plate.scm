plate i {
  a ~ Normal(0, 1)
}
plate j {
  b ~ Normal(a, 1)
}
