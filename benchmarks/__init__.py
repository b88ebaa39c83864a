"""Benchmarks of mapapp against a naive peer app; see benchmarks/README.md."""
