plate i {
  y ~ Normal(0, 1)
}
}
