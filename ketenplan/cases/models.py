"""Models: see the module docstring of services.py for the use cases."""
