# Forum question, model 2: y causes x.  Same joint distribution as model 1, but
# intervening on x leaves y alone: E[y | do(x = 3)] = 1 while E[y | x = 3] = 4.
y ~ Normal(1, 2)
x ~ Normal((y - 1) / 4, sqrt(3) / 2)

query seen = E[y | x = 3]
query done = E[y | do(x = 3)]
