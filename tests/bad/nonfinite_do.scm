dose ~ Normal(0, 1)
response ~ Normal(2 * dose, 1)
do(dose = 4e40)
query q = E[response | do(dose = (0 - 0) / 0)]
