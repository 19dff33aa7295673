# constants the model's 32-bit floats cannot hold, refused where they are written
cap = 7e38
growth = exp(800)
lam ~ Gamma(2, sqrt(-4))
y ~ Normal(1 / (2 - 2), cap)
