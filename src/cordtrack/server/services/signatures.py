"""Electronic signatures with meaning: one service for every sign-off (21 CFR 11.50, 11.70, 11.200).

Every sign-off (an exam signed by its author, an adverse event signed and closed, an eligibility
decision confirmed, a lot released, a patient randomised, a protocol version activated) goes
through :func:`sign`. It re-authenticates the signer with
their password (11.200(a)(1): each signing in a session re-enters the secret component), records
the printed name, the date and time and the meaning (11.50(a)), hashes the signed content of the
record (11.70: the signature is linked to that content), and audits it, in the transaction of the
record's own change. :func:`states` tells, for each signature of a record, whether the record
still has the content that was signed: a later change invalidates it and the record is signed
again. Which fields a record's signature covers is declared with :func:`register`.

Failed passwords go through ``django.contrib.auth.authenticate`` with the request, so that
django-axes counts them towards the same lockout as failed sign-ins (a stolen unlocked session
cannot be used to guess the password), outside the caller's transaction so the count is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ..access import patient_id_of, site_id_of
from ..audit.chain import append, diff, jsonable, label, snapshot
from ..audit.models import AuditAction
from ..signatures.models import Meaning, Signature
from .base import FieldErrors

Content = Callable[[models.Model], dict[str, Any]]

#: The signed content of each model that can be signed, by model label.
_CONTENT: dict[str, Content] = {}


def register(model: type[models.Model], *, exclude: Iterable[str] = (),
             extra: Callable[[Any], dict[str, Any]] | None = None) -> None:  # fmt: skip
    """Declare ``model`` signable: its signature covers every concrete field but ``exclude``
    (derived or bookkeeping columns, such as the signing time itself), plus ``extra(record)``
    (e.g. an adverse event's follow-up entries)."""
    skipped = frozenset(exclude)

    def content(record: models.Model) -> dict[str, Any]:
        fields = {k: v for k, v in snapshot(record).items() if k not in skipped}
        return {**fields, **(extra(record) if extra else {})}

    _CONTENT[model._meta.label_lower] = content


def content_hash(record: models.Model, *, reread: bool = True) -> str:
    """SHA-256 of the record's signed content, as stored: read back from the database (unless
    ``record`` was just read from it), so that a value hashes alike before and after a round
    trip (e.g. 92.5 and 92.50)."""
    key = label(record)
    if key not in _CONTENT:
        raise TypeError(f"{key} is not a signable record")
    stored = type(record)._default_manager.get(pk=record.pk) if reread else record
    canonical = json.dumps(jsonable(_CONTENT[key](stored)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def printed_name(user: Any) -> str:
    """The signer's name as printed with the signature: full name, else the user name."""
    full: str = user.get_full_name().strip()
    return full or str(user.get_username())


#: How long one re-authentication covers a series of signings by a batch loader (the demo):
#: 21 CFR 11.200(a)(1)(i), signings during one continuous period of controlled access. Pages and
#: the API never use it: every signing there re-enters the password.
SERIES_WINDOW = dt.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Reauthentication:
    """Proof that a user re-entered their password at ``at`` (from :func:`reauthenticate`)."""

    user_id: int
    at: dt.datetime


def reauthenticate(user: Any, password: str, request: HttpRequest | None) -> Reauthentication:
    """Raise a field error on ``password`` unless it is ``user``'s. With a request (pages, API)
    through ``authenticate``, so django-axes counts a failure and refuses a locked-out user; without
    one (the demo loader, tests) the password is checked directly."""
    errors = FieldErrors()
    if not password:
        errors.add("password", "re-enter your password to sign")
        errors.raise_if_any()
    if request is None:
        ok = user.is_active and user.check_password(password)
    else:
        who = authenticate(request, username=user.get_username(), password=password)
        if getattr(request, "axes_locked_out", False):
            # Answer with our own field error, not axes' lockout page, and keep the session.
            request.axes_locked_out = False  # type: ignore[attr-defined]
            minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
            errors.add("password", f"too many failed attempts: signing and sign-in are locked "
                                   f"for {minutes} minutes")  # fmt: skip
            errors.raise_if_any()
        ok = who is not None and who.pk == user.pk
    if not ok:
        errors.add("password", "is not correct: nothing was signed")
        errors.raise_if_any()
    return Reauthentication(user.pk, timezone.now())


def check_series(user: Any, proof: Reauthentication) -> None:
    """Refuse (a field error on ``password``) unless ``proof`` is ``user``'s and recent."""
    if proof.user_id != user.pk or timezone.now() - proof.at > SERIES_WINDOW:
        errors = FieldErrors()
        errors.add("password", "re-enter your password to sign")
        errors.raise_if_any()


def sign(
    user: Any,
    password: str | Reauthentication,
    record: models.Model,
    meaning: str,
    *,
    request: HttpRequest | None = None,
    apply: Callable[[], None] | None = None,
    reason: str = "",
) -> Signature:
    """Sign ``record`` with ``meaning`` after re-entering ``password``. ``apply`` makes (and
    saves) the record's own change, e.g. its signed or closed time, in the same transaction; one
    audit entry records that change with the signature. The caller has checked the role and the
    record's own rules; this checks the password, then records and audits the signature."""
    if meaning not in Meaning.values:
        raise ValueError(f"unknown meaning {meaning!r}")
    if isinstance(password, Reauthentication):
        check_series(user, password)
    else:
        reauthenticate(user, password, request)  # outside the transaction: a failure counts
    with transaction.atomic():
        before = snapshot(record)
        if apply is not None:
            apply()
        patient_id = patient_id_of(record)
        signature = Signature(
            model=label(record), object_id=str(record.pk),
            site_id=site_id_of(record) if hasattr(record, "SITE_PATH") else None,
            patient_id=patient_id, signer=user, printed_name=printed_name(user),
            meaning=meaning, signed_at=timezone.now(), content_hash=content_hash(record),
        )  # fmt: skip
        signature.save()
        append(
            user, AuditAction.SIGN, label(record), record.pk,
            changes={**diff(before, snapshot(record)),
                     # As [old, new] pairs like every other change, for the trail's readers.
                     "signature.id": [None, signature.pk], "signature.meaning": [None, meaning],
                     "signature.printed_name": [None, signature.printed_name],
                     "signature.content_sha256": [None, signature.content_hash]},
            reason=reason, site_id=signature.site_id, patient_id=patient_id,
        )  # fmt: skip
    return signature


@dataclass(frozen=True, slots=True)
class SignatureState:
    """One signature of a record and whether it still holds."""

    signature: Signature
    valid: bool  # the record still has the content that was signed
    superseded: bool  # a later signature with the same meaning replaced it

    @property
    def printed_name(self) -> str:
        return self.signature.printed_name

    @property
    def meaning(self) -> str:
        return self.signature.meaning

    @property
    def meaning_label(self) -> str:
        return str(Meaning(self.signature.meaning).label)

    @property
    def signed_at(self) -> Any:
        return self.signature.signed_at

    @property
    def state(self) -> str:
        """``valid``; ``invalidated`` (the record changed since); ``superseded`` (signed again)."""
        if self.superseded:
            return "superseded"
        return "valid" if self.valid else "invalidated"

    def as_dict(self) -> dict[str, Any]:
        s = self.signature
        return {
            "id": s.pk, "signer": s.signer.get_username(), "printed_name": s.printed_name,
            "meaning": s.meaning, "signed_at": s.signed_at, "state": self.state,
            "valid": self.state == "valid",
        }  # fmt: skip


def signatures_of(record: models.Model) -> list[Signature]:
    return list(
        Signature.objects.filter(model=label(record), object_id=str(record.pk))
        .select_related("signer")
        .order_by("signed_at", "pk")
    )


def states(record: models.Model) -> list[SignatureState]:
    """Every signature of ``record``, oldest first, each marked valid, invalidated or
    superseded."""
    found = signatures_of(record)
    if not found:
        return []
    current = content_hash(record)
    latest: dict[str, int] = {s.meaning: s.pk for s in found}
    return [
        SignatureState(s, valid=s.content_hash == current, superseded=latest[s.meaning] != s.pk)
        for s in found
    ]


def current(record: models.Model, meaning: str) -> SignatureState | None:
    """The latest signature of ``record`` with ``meaning`` (valid or not), else None."""
    mine = [s for s in states(record) if s.meaning == meaning]
    return mine[-1] if mine else None


def is_signed(record: models.Model, meaning: str) -> bool:
    """``record`` carries a valid signature with ``meaning`` (its content unchanged since)."""
    state = current(record, meaning)
    return state is not None and state.valid


def latest_by_record(
    records: Iterable[models.Model], meaning: str
) -> Mapping[Any, SignatureState | None]:
    """For a page of records of one model, as just read from the database: each one's latest
    ``meaning`` signature and whether it holds (one query for the signatures)."""
    records = list(records)
    if not records:
        return {}
    found: dict[str, Signature] = {}
    rows = Signature.objects.filter(
        model=label(records[0]), object_id__in=[str(r.pk) for r in records], meaning=meaning
    ).select_related("signer")
    for s in rows.order_by("signed_at", "pk"):
        found[s.object_id] = s
    result: dict[Any, SignatureState | None] = {}
    for r in records:
        sig = found.get(str(r.pk))
        result[r.pk] = None if sig is None else SignatureState(
            sig, valid=sig.content_hash == content_hash(r, reread=False), superseded=False
        )  # fmt: skip
    return result


def _follow_ups(event: Any) -> dict[str, Any]:
    return {"follow_ups": [snapshot(f) for f in event.follow_ups.order_by("pk")]}


def _register_signed_records() -> None:
    """What each signature covers: the record's source fields, not its derived or signing
    columns (an exam's classification is recomputed from its values by a versioned engine, and
    reclassification is audited on its own)."""
    from ..consent.models import Consent, Withdrawal
    from ..exams.models import IsncsciExam
    from ..intake.models import EligibilityScreening, Protocol, Randomisation, Unblinding
    from ..safety.models import AdverseEvent
    from ..therapy.models import CellProductLot

    register(IsncsciExam, exclude=IsncsciExam.DERIVED_FIELDS)
    register(AdverseEvent, exclude=("signed_at", "closed_at", "closed_by_id"), extra=_follow_ups)
    register(EligibilityScreening)  # the facts, results, proposal and the confirmed decision
    register(CellProductLot, exclude=("released_at", "released_by_id"))
    register(Randomisation)  # the allocation: patient, protocol, stratum, row, arm, who, when
    register(Unblinding)  # who disclosed which allocation, when and why (ADR 0041)
    # A protocol version's document, not its life cycle (retiring it later keeps the signature).
    register(Protocol, exclude=("status", "activated_by_id", "activated_at", "activation_reason"))
    register(Consent)  # who signed which consent text, how, when, before whom, with which PDF
    register(Withdrawal)  # the scope, the reason, when, by whom


_register_signed_records()
