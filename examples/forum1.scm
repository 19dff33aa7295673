# Forum question, model 1: x causes y.  P(y | x = 3) and P(y | do(x = 3)) agree.
x ~ Normal(0, 1)
y ~ Normal(x + 1, sqrt(3))

query seen = E[y | x = 3]
query done = E[y | do(x = 3)]
