"""kg: turn Chinese news about IP enforcement into a knowledge graph."""
__version__ = "0.1.0"
