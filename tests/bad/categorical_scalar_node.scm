share ~ Beta(2, 2)
pick ~ Categorical(probs=share)
