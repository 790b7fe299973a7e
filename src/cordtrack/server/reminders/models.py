"""How a patient is reminded (contact details, opt-out per channel) and every reminder sent."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..followup.models import Visit
from ..outbox.models import Channel, OutboxMessage, OutboxStatus
from ..patients.models import Patient
from .sms import validate_phone


class ContactPreference(models.Model):
    """Where a patient's reminders go, and which channels they have turned off.

    The e-mail address defaults to the one of the patient's portal account. Opting out of a
    channel (in the portal, or by staff on the patient's behalf) stops every reminder by it
    from the next run on; nothing else depends on it."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="contact_preference"
    )
    email = models.EmailField(_("e-mail for reminders"), blank=True)
    phone = models.CharField(
        _("mobile number for text messages"), max_length=16, blank=True,
        validators=[validate_phone],
    )  # fmt: skip
    email_opt_out = models.BooleanField(_("no reminders by e-mail"), default=False)
    sms_opt_out = models.BooleanField(_("no reminders by text message"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    def __str__(self) -> str:
        return f"contact preference of patient {self.patient_id}"


class Template(models.TextChoices):
    VISIT_OPENS = "visit_opens", _("Visit window opens soon")
    VISIT_CLOSES = "visit_closes", _("Visit window closes soon")
    QUESTIONNAIRE = "questionnaire", _("Questionnaires to answer")


#: The outcome of a reminder, as its outbox row stands.
OUTCOMES = {
    "queued": _("queued"),
    "sent": _("sent"),
    "retrying": _("not sent yet: will try again"),
    "failed": _("could not be sent"),
    "unknown": _("unknown"),
}


class ReminderLog(models.Model):
    """One reminder message: who (patient), when, channel, template, language, and its outcome
    (the state of its outbox row: queued, sent, retrying, failed). Never its text or address:
    those live in the outbox row only, which the log does not show.

    ``cause`` names what the reminder is for, with the date it is about
    (``visit:12:opens:2026-12-20:7``): one cause is reminded once per channel, and a visit
    moved to other dates is a new cause, reminded again."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    template = models.CharField(max_length=20, choices=Template.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    cause = models.CharField(max_length=120)
    language = models.CharField(max_length=10)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    message = models.OneToOneField(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminder"
    )

    SITE_PATH: ClassVar[str] = "patient__site"
    PATIENT_PATH: ClassVar[str] = "patient"

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("cause", "channel"), name="reminder_once_per_channel"),
        )

    def __str__(self) -> str:
        return f"reminder {self.pk} {self.template} by {self.channel}"

    @property
    def outcome(self) -> str:
        """queued, sent, retrying (a failed attempt, another due) or failed."""
        m = self.message
        if m is None:
            return "unknown"
        if m.status == OutboxStatus.SENT:
            return "sent"
        if m.status == OutboxStatus.FAILED:
            return "failed"
        return "retrying" if m.attempts else "queued"

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES[self.outcome])

    @property
    def sent_at(self) -> object:
        return self.message.sent_at if self.message is not None else None
