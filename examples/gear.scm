# Gear Acquisition Syndrome (blog post): talent drives both gear and sound.
# Does fancy gear (gear = 1) make a player sound great (sound = 1)?
p_talent ~ Beta(1, 1)
g0 ~ Normal(0, 1.5)
g_talent ~ Normal(0, 1.5)
s0 ~ Normal(0, 1.5)
s_gear ~ Normal(0, 1.5)
s_talent ~ Normal(0, 1.5)
s_both ~ Normal(0, 1.5)

plate player {
  talent ~ Bernoulli(p_talent)
  gear ~ Bernoulli(logits = g0 + g_talent * talent)
  sound ~ Bernoulli(logits = s0 + s_gear * gear + s_talent * talent + s_both * gear * talent)
}

query great_if_fancy = E[sound | do(gear = 1)]
query great_if_cheap = E[sound | do(gear = 0)]
query gear_effect    = E[sound | do(gear = 1)] - E[sound | do(gear = 0)]
