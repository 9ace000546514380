"""drf-spectacular hooks (SPECTACULAR_SETTINGS): the documentation's sections in the order of
its TAGS setting, with their descriptions in the schema's language."""

from drf_spectacular.plumbing import alpha_operation_sorter
from drf_spectacular.settings import spectacular_settings


def tag_of(path):
    """The tag drf-spectacular gives an operation: its path's first segment under the prefix."""
    return path.removeprefix(spectacular_settings.SCHEMA_PATH_PREFIX).strip("/").split("/")[0]


def operation_order(endpoint):
    """A sort key (SORT_OPERATIONS): by the tag's place in TAGS (a tag not listed after them),
    then drf-spectacular's own order: a list before its records, GET, POST, PUT, PATCH, DELETE."""
    names = [tag["name"] for tag in spectacular_settings.TAGS]
    tag = tag_of(endpoint[0])
    return (names.index(tag) if tag in names else len(names), alpha_operation_sorter(endpoint))


def translate_tags(result, generator, request, public):
    """The TAGS' descriptions as text in the active language (the schema is built under the
    language it is for), not as the lazy translations the settings hold, which a renderer
    cannot write."""
    if "tags" in result:
        result["tags"] = [{key: str(value) for key, value in tag.items()} for tag in result["tags"]]
    return result
