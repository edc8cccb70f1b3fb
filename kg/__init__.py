"""paperkg: a knowledge graph of ML papers built from their text."""
