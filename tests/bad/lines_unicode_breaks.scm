a ~ Normal(0, 1)  # form feed  and vertical tab  in a comment
# a line separator   and a next-line  in a comment
b ~ Nromal(a, 1)
