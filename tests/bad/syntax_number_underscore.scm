population = 12_000
