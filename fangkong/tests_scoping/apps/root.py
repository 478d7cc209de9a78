"""The project's own routes (fangkong/urls.py): the language switch and the API's schema and root."""

PUBLIC = {
    "set_language": "switching the language before logging in",
    "openapi-json": "the API schema: no data",
}

ROUTES = {
    "openapi-view": lambda w, r: ({}, ""),
    "api-root": lambda w, r: ({}, ""),
}
