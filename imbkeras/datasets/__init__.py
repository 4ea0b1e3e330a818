"""Work in progress."""
__all__: list = []
