"""The home page."""

ROUTES = {
    "home": lambda w, r: ({}, ""),
}
