"""The machinery every API v1 endpoint shares, one module a concern: filtering, pagination,
renderers, conditional GET and the response cache, language, expansion, streaming, change
history, serializer fields and the schema. `viewsets.DirectoryViewSet` puts them together, so
that each app's viewsets stay three lines long.
"""
