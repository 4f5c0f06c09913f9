"""Espaço do Cliente: the portal a waste-collection company gives its clients."""

__version__ = "0.2.0"
