# Gear Acquisition Syndrome, the naive picture: gear alone makes the sound (no talent).
g0 ~ Normal(0, 1.5)
s0 ~ Normal(0, 1.5)
s_gear ~ Normal(0, 1.5)

plate player {
  gear ~ Bernoulli(logits = g0)
  sound ~ Bernoulli(logits = s0 + s_gear * gear)
}

query gear_effect = E[sound | do(gear = 1)] - E[sound | do(gear = 0)]
