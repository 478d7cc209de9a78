"""The situation report of grid 07, in each of its formats."""

ROUTES = {
    "situation_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "situation_node": lambda w, r: ({"code": w.grid07.code}, ""),
    "situation_notes": lambda w, r: ({"code": w.grid07.code}, ""),
    "situation_download": lambda w, r: ({"code": w.grid07.code, "fmt": "json"}, ""),
}
