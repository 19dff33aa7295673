plate school[8] {
  effect ~ Normal(0, 5)
}
plate student {
  data school_of: school
  score ~ Normal(effect[school_of], 1)
}
do(school_of = 2.5)
query q1 = E[score | do(school_of = school_of + 1)]
query q2 = E[score | do(school_of ~ Poisson(3))]
query q3 = E[score | do(school_of = 8)]
