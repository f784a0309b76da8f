"""Benchmarks of Tỉnh số: `make bench` (or `python -m bench [name ...]`) runs them all."""
