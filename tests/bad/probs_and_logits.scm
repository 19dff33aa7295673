y ~ Bernoulli(probs=0.5, logits=0)
