# Forum question, model 3: a common cause z drives both x and y; x does not cause y.
# The forum wrote x = z (a deterministic node, which cannot be conditioned on); here x is
# z plus noise, with variances chosen so the joint of (x, y) is the same as in models 1-2:
# Var x = 0.5 + 0.5 = 1, Cov(x, y) = 2 * 0.5 = 1, Var y = 4 * 0.5 + 2 = 4.
z ~ Normal(0, sqrt(0.5))
x ~ Normal(z, sqrt(0.5))
y ~ Normal(2 * z + 1, sqrt(2))

query seen = E[y | x = 3]
query done = E[y | do(x = 3)]
