"""Statistics computed from the case records, and the bulletins published from them."""
