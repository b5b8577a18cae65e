"""Readers for the statutory tables, one module per table kind; layouts live in ``layout``."""
