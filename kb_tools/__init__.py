"""Tools for the property-management knowledge base: page loading, Chinese text analysis,
indexing, search and editorial checks."""

__version__ = "0.1.0"
