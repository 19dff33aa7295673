"""Stage 4, run: forward runs, inference, queries and the live slider function, compiled."""
