plate school {
  theta ~ Normal(0, 1)
}
plate teacher {
  skill ~ Normal(0, 1)
}
plate student {
  data teacher_of: teacher
  score ~ Normal(theta[teacher_of], 1)
}
