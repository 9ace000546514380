"""`?expand=`: related lists nested in full, fetched in a fixed number of queries."""

from rest_framework import exceptions


class ExpandMixin:
    """`expandable` maps each name `?expand=` accepts to the prefetches it needs; the
    serializer (ExpandableSerializerMixin) adds the matching fields."""

    expandable: dict = {}

    def expansions(self):
        raw = self.request.query_params.get("expand", "")
        names = [name for name in raw.split(",") if name]
        unknown = sorted(set(names) - set(self.expandable))
        if unknown:
            raise exceptions.ValidationError(
                {
                    "expand": [
                        f"Cannot expand {', '.join(unknown)}; choose from: "
                        f"{', '.join(sorted(self.expandable)) or 'nothing'}."
                    ]
                }
            )
        # A name given twice (`expand=a,a`) is expanded once: prefetching it twice is an error.
        return list(dict.fromkeys(names))

    def get_queryset(self):
        queryset = super().get_queryset()
        for name in self.expansions():
            queryset = queryset.prefetch_related(*self.expandable[name])
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["expand"] = self.expansions() if hasattr(self, "request") else []
        return context
