tau ~ HalfCauchy(5)
do(tau = 0)
