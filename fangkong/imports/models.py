"""What a chunked import has written so far, so that it can be undone: on SQLite an import commits in
short chunks (one writer at a time: a 20,000-row import in one transaction would lock every other
writer out for longer than they wait), and each chunk records the rows it created and the values it
overwrote in the same transaction. A batch that fails, or whose process died (SIGKILL, power cut), is
undone from these records; one that finishes is marked done in one short final statement."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchState(models.TextChoices):
    WRITING = "writing", _("写入中")
    DONE = "done", _("已完成")
    UNDONE = "undone", _("已撤销")


class ImportBatch(models.Model):
    ledger = models.CharField(max_length=60)
    node_path = models.CharField(max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=BatchState.choices, default=BatchState.WRITING, db_index=True
    )
    # Who is writing it: a batch still "writing" whose process is gone is undone by the next import.
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    touched_at = models.DateTimeField()

    def __str__(self):
        return f"{self.ledger} {self.started_at:%Y-%m-%d %H:%M} ({self.get_state_display()})"


class ImportChunk(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="chunks")
    model = models.CharField(max_length=100)  # app_label.model_name
    created = models.JSONField(default=list)  # primary keys of the rows this chunk created
    previous = models.JSONField(default=dict)  # pk → {field: value} before this chunk updated the row

    def __str__(self):
        return f"{self.model}: {len(self.created)} created, {len(self.previous)} updated"
