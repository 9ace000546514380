"""What the API tests share: they fetch as the page tests do."""

from tests.pages import get

__all__ = ["get"]
