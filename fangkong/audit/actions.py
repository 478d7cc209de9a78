from .models import AuditEvent


def client_of(request) -> dict:
    """Where a request came from, for the audit row. REMOTE_ADDR only: X-Forwarded-For is forgeable
    unless a trusted proxy sets it, and a deployment behind one sets REMOTE_ADDR in its WSGI server."""
    if request is None:
        return {"ip": None, "user_agent": "cli"}
    return {
        "ip": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def record(*, actor, action: str, target=None, node_path: str = "", request=None, **detail) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        node_path=node_path,
        detail=detail,
        **client_of(request),
    )


def record_many(*, actor, action: str, rows, request=None) -> list[AuditEvent]:
    """Write one audit row per (target, node_path, detail) of `rows` in one statement: the same rows
    `record` writes one by one, for an action that changes many records at once."""
    client = client_of(request)
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor if getattr(actor, "pk", None) else None,
                action=action,
                target_type=type(target).__name__,
                target_id=str(target.pk),
                target_label=str(target)[:200],
                node_path=node_path,
                detail=detail,
                **client,
            )
            for target, node_path, detail in rows
        ],
        batch_size=500,
    )
