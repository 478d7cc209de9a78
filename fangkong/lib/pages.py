"""What every views module asks of a request: is it HTMX, was it posted, the page or its fragment."""

from django.shortcuts import render


def is_htmx(request) -> bool:
    # A history restore wants the whole page, not the fragment.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def render_page(request, template: str, context: dict, *, fragment: str = "", status: int = 200):
    """The page, or its fragment (a template partial) for an HTMX request to the same URL."""
    name = f"{template}#{fragment}" if fragment and is_htmx(request) else template
    return render(request, name, context, status=status)


def posted(request):
    """The form data of a POST, None otherwise: a form bound to it shows errors only after a submit."""
    return request.POST if request.method == "POST" else None
