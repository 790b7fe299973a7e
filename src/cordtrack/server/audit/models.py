"""The audit trail: an append-only, hash-chained log of every change to clinical data.

Each :class:`AuditEntry` has a sequence number (1, 2, 3... without gaps) and a hash covering its
own content and the previous entry's hash; :class:`AuditHead` holds the last sequence number and
hash. Altering a row breaks its hash; removing one leaves a gap or disagrees with the head; each
entry is sealed with an HMAC under a key kept outside the database, and the head is copied to an
anchors file outside it, so rewriting every hash or removing the newest entries is found too.
See ``docs/adr/0002-audit-trail.md`` and ``docs/adr/0029-audit-key-and-anchors.md``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    VIEW = "view"
    SIGN = "sign"
    DOWNLOAD = "download"


GENESIS_HASH = "0" * 64


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the audit trail is append-only")


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    # Plain integers, not foreign keys: the trail outlives the records it describes.
    site_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The seal: HMAC of ``hash`` under the audit key named by ``key_id``, a key kept outside the
    # database (``keys.py``), so a rewrite that recomputes every hash is still found.
    key_id = models.CharField(max_length=16, blank=True)
    mac = models.CharField(max_length=64, blank=True)
    # The staged entry this entry sealed (``StagedEntry``), if it was staged: outside the hash
    # (it says where the entry waited, not what it records); the staging table's trigger lets a
    # staged row go only once an entry names it here.
    staged_id = models.BigIntegerField(null=True, blank=True, unique=True)

    objects: ClassVar[models.Manager[AuditEntry]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("seq",)
        indexes = (models.Index(fields=("model", "object_id")),)
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.model}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the audit trail is append-only")


class AuditHead(models.Model):
    """One row: the last entry's sequence number and hash; appends lock it, serialising them."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class StagingQuerySet(models.QuerySet["StagedEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("staged audit entries are never changed")


class StagedEntry(models.Model):
    """An audit entry committed with its change while the head was held by another transaction,
    waiting to be chained (ADR 0051): the same fields as :class:`AuditEntry` without a place in
    the chain, sealed on its own (``mac``: HMAC of its content under the audit key), so an entry
    altered or forged before it is chained is refused by the sealer and named by ``audit verify``.
    The sealer deletes it in the transaction that chains it; on PostgreSQL a trigger refuses any
    other delete and every update (``migrations/0004``)."""

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    site_id = models.BigIntegerField(null=True, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    key_id = models.CharField(max_length=16, blank=True)
    mac = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[StagedEntry]] = StagingQuerySet.as_manager()

    #: Not in the chain yet: no sequence number or hash (listeners read ``seq`` for a reason text).
    seq = None
    hash = None

    class Meta:
        ordering = ("pk",)
        verbose_name_plural = "staged audit entries"

    def __str__(self) -> str:
        return f"staged {self.pk} {self.action} {self.model}:{self.object_id}"
