# each probability is checked, not only the sum (these add up to 1)
mood ~ Categorical([0.6, 0.7, -0.3])
