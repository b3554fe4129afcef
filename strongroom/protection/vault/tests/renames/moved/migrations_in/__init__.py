"""The adopting side of the move scenario."""
