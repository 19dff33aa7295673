"""Stage 1, bind: data, intervention values and seeds, checked, to the arrays a plan reads."""
