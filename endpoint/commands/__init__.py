"""Command implementations behind ``endpoint.cli``: one module per area."""
