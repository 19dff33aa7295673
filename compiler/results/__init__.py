"""Stage 5, results: posterior draws as plain data, DataTrees and effect summaries."""
