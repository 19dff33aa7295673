sigma ~ HalfNormal(-1)
p ~ Beta(1, 0)
