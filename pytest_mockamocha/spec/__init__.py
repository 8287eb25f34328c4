"""Loading OpenAPI documents: parse, bundle refs, check, index operations."""
