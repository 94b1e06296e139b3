"""PostgreSQL full-text search: one text-search configuration for documents and queries.

A model declares its searchable document with ``search_document(*fields)`` both in a GIN
expression index and in the queries that use it; the two must be the same expression for
PostgreSQL to use the index.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector

SEARCH_CONFIG = "english"


def search_document(*fields: str) -> SearchVector:
    return SearchVector(*fields, config=SEARCH_CONFIG)


def search_query(text: str) -> SearchQuery:
    """What a person typed, read as a web search engine would ("quotes", or, -not)."""
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
