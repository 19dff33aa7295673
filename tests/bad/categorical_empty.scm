colour ~ Categorical(logits=[])
