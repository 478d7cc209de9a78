"""What policy decides per jurisdiction: grid 07's page of it."""

ROUTES = {
    "policy_view": lambda w, r: ({}, ""),
    "policy_edit": lambda w, r: ({"code": w.grid07.code}, ""),
}
