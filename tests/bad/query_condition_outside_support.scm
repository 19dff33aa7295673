visits ~ Poisson(3)
spend ~ Normal(10 * visits, 5)
query q = E[spend | visits = 2.5]
