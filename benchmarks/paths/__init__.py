"""Benchmark of whole regularization paths and cross-validation (see README.md)."""
