# do() may leave sd's own support, but not make a downstream parameter invalid
sd ~ HalfNormal(1)
y ~ Normal(0, sd - 1)
do(sd = 0.5)
