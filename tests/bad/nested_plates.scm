plate school {
  plate student {
    y ~ Normal(0, 1)
  }
}
