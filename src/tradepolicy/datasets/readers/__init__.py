"""Typed readers of registered datasets, one module per dataset family.

Each reader takes no path: it asks the registry for the verified file and returns a
frame whose columns and units are documented in its docstring.
"""
