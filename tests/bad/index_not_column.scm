plate school {
  theta ~ Normal(0, 1)
}
plate student {
  data k
  score ~ Normal(theta[k], 1)
}
