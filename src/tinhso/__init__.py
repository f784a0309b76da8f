"""Tỉnh số: the open digital-government platform of a Vietnamese province."""

__version__ = "0.1.0"
