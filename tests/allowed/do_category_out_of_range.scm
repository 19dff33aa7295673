plate i {
  c ~ Categorical([0.2, 0.3, 0.5])
}
do(c = 3)
