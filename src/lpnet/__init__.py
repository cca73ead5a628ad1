"""lpnet: certified L1 / L2 / Elastic Net / Lp regularized models."""
__version__ = "0.1.0"
