"""The graph of a checked model: its plain description and identification on it."""
