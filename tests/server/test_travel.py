"""Travel of international patients (issue 17 item 5, ADR 0049): a visit's logistics carry the
planned stay (arrival, departure), accompanying persons and an interpreter's language, checked
against the visit window; a coordinator downloads a travel letter (PDF) stating the planned
visit dates in English and the patient's language, with nothing clinical and passport details
printed but never stored."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from cordtrack.server.accounts.models import Membership, Role, Site, User
from cordtrack.server.api.models import IdempotencyRecord
from cordtrack.server.audit.models import AuditEntry
from cordtrack.server.followup.letters import letter_sections
from cordtrack.server.followup.models import Logistics, Visit
from cordtrack.server.followup.travel import MAX_STAY_DAYS
from cordtrack.server.intake.models import Protocol
from cordtrack.server.patients.models import Patient
from cordtrack.server.services import followup

from .conftest import TODAY

DAY = dt.timedelta(days=1)
PASSPORT = "X9QZ81734"


@pytest.fixture
def visit(
    bob: User, make_patient: Callable[..., Patient], north: Site, protocol: Protocol
) -> Visit:
    """A later visit of the schedule (its window some weeks ahead)."""
    return followup.schedule_visits(bob, make_patient(north), protocol, TODAY)[-1]


def _basics(**extra: Any) -> dict[str, Any]:
    return {"travel_mode": "air", "distance_km": 5200, "lodging_nights": 6, **extra}


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return " ".join(text.split())  # lines wrap anywhere


def _changes() -> int:
    return AuditEntry.objects.exclude(action__in=("view", "download")).count()


def test_a_stay_inside_the_visit_window_is_saved_with_its_travel_details_and_audited(
    bob: User, visit: Visit
) -> None:
    arrival, departure = visit.window_open - 2 * DAY, visit.window_open + 5 * DAY

    saved = followup.record_logistics(
        bob, visit, **_basics(arrival_date=arrival, departure_date=departure,
                              accompanying_persons=2, interpreter_language="ar"),
    )  # fmt: skip

    saved.refresh_from_db()
    assert (saved.arrival_date, saved.departure_date) == (arrival, departure)
    assert (saved.accompanying_persons, saved.interpreter_language) == (2, "ar")
    assert saved.interpreter_language_name == "Arabic"
    entry = AuditEntry.objects.filter(model="followup.logistics").get()
    assert entry.changes["arrival_date"][1] == arrival.isoformat()
    assert entry.changes["interpreter_language"] == [None, "ar"]  # created


def test_every_travel_field_is_optional(bob: User, visit: Visit) -> None:
    saved = followup.record_logistics(bob, visit, **_basics())

    assert (saved.arrival_date, saved.departure_date, saved.accompanying_persons) == (
        None, None, None,
    )  # fmt: skip
    assert saved.interpreter_language == ""


@pytest.mark.parametrize(
    ("stay", "field", "words"),
    [
        ({"arrival": 3, "departure": 1}, "departure_date", "before the arrival date"),
        ({"arrival": "close+1", "departure": "close+4"}, "arrival_date", "after the visit window"),
        ({"arrival": "open-9", "departure": "open-1"}, "departure_date", "before the visit window"),
        ({"arrival": "open-200", "departure": "open"}, "departure_date",
         f"more than {MAX_STAY_DAYS}"),
        ({"arrival": "close+1"}, "arrival_date", "after the visit window"),
        ({"departure": "open-1"}, "departure_date", "before the visit window"),
    ],
    ids=["departure-before-arrival", "arrives-after-window", "leaves-before-window",
         "longer-than-180-days", "arrival-only-too-late", "departure-only-too-early"],
)  # fmt: skip
def test_a_stay_that_cannot_serve_the_visit_is_a_field_error_and_changes_nothing(
    bob: User, visit: Visit, stay: dict[str, Any], field: str, words: str
) -> None:
    def day(spec: Any) -> dt.date:
        if isinstance(spec, int):
            return visit.window_open + spec * DAY
        base, _, offset = spec.replace("+", " +").replace("-", " -").partition(" ")
        start = visit.window_close if base == "close" else visit.window_open
        return start + int(offset or 0) * DAY

    dates = {f"{k}_date": day(v) for k, v in stay.items()}
    before = _changes()

    with pytest.raises(ValidationError) as raised:
        followup.record_logistics(bob, visit, **_basics(**dates))

    assert words in " ".join(raised.value.message_dict[field])
    assert not Logistics.objects.filter(visit=visit).exists()
    assert _changes() == before


def test_a_stay_of_exactly_the_limit_is_accepted(bob: User, visit: Visit) -> None:
    arrival = visit.window_open - 10 * DAY
    saved = followup.record_logistics(
        bob, visit, **_basics(arrival_date=arrival,
                              departure_date=arrival + MAX_STAY_DAYS * DAY),
    )  # fmt: skip
    assert (saved.departure_date - saved.arrival_date).days == MAX_STAY_DAYS


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"interpreter_language": "klingon"}, "interpreter_language"),
     ({"accompanying_persons": 21}, "accompanying_persons")],
)  # fmt: skip
def test_an_unknown_language_or_too_many_companions_is_refused(
    bob: User, visit: Visit, extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        followup.record_logistics(bob, visit, **_basics(**extra))
    assert field in raised.value.message_dict


def test_the_visit_page_shows_a_bad_stay_under_its_field_and_keeps_the_old_logistics(
    client: Client, bob: User, visit: Visit
) -> None:
    followup.record_logistics(bob, visit, **_basics())
    client.force_login(bob)
    post = {"form": "logistics", **_basics(), "arrival_date": visit.window_open.isoformat(),
            "departure_date": (visit.window_open - DAY).isoformat(),
            "interpreter_language": "hi", "accompanying_persons": "1"}  # fmt: skip

    page = client.post(f"/visits/{visit.pk}/", post).content.decode()

    errors = page.split('id="id_departure_date_error"', 1)[1].split("</ul>", 1)[0]
    assert "is before the arrival date" in errors
    assert Logistics.objects.get(visit=visit).interpreter_language == ""


def test_the_visit_page_saves_and_shows_the_stay(client: Client, bob: User, visit: Visit) -> None:
    client.force_login(bob)
    arrival, departure = visit.window_open, visit.window_open + 4 * DAY
    post = {"form": "logistics", **_basics(), "arrival_date": arrival.isoformat(),
            "departure_date": departure.isoformat(), "interpreter_language": "th",
            "accompanying_persons": "1"}  # fmt: skip

    assert client.post(f"/visits/{visit.pk}/", post).status_code == 302
    page = client.get(f"/visits/{visit.pk}/").content.decode()

    assert f"Stay: {date_format(arrival)} – {date_format(departure)}" in page
    assert "1 accompanying person" in page
    assert "interpreter: Thai" in page
    assert f'href="/visits/{visit.pk}/travel-letter/"' in page


def test_a_coordinator_downloads_a_travel_letter_with_the_visit_and_stay_dates_audited(
    client: Client, bob: User, visit: Visit
) -> None:
    arrival, departure = visit.window_open - DAY, visit.window_open + 6 * DAY
    followup.record_logistics(
        bob, visit, **_basics(arrival_date=arrival, departure_date=departure,
                              accompanying_persons=2, interpreter_language="ur"),
    )  # fmt: skip
    client.force_login(bob)
    before = AuditEntry.objects.order_by("-seq").first()

    response = client.get(f"/visits/{visit.pk}/travel-letter/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = _text(response.content)
    assert "Letter in support of travel" in text
    for day in (visit.window_open, visit.window_close, visit.target_date, arrival, departure):
        assert day.strftime("%-d %B %Y") in text
    assert "accompanied by 2 persons" in text
    assert "interpreter for Urdu" in text
    assert visit.patient.study_id in text
    assert "North" in text
    (entry,) = AuditEntry.objects.filter(seq__gt=before.seq if before else 0)
    assert (entry.action, entry.patient_id) == ("download", visit.patient.pk)


def test_the_letter_carries_nothing_clinical(
    client: Client, bob: User, alice: User, visit: Visit
) -> None:
    from cordtrack.server.services import patients as patient_services

    patient_services.record_injury(
        alice, visit.patient, injury_date=TODAY - 90 * DAY, etiology="traumatic", cause="fall",
        level="T4", baseline_ais="A",
    )  # fmt: skip
    client.force_login(bob)

    text = _text(client.get(f"/visits/{visit.pk}/travel-letter/").content).lower()

    clinical = ("injury", "spinal", "stem", "cell", "ais", "t4", "diagnos", "treatment",
                "therapy", "protocol", visit.protocol.code.lower(), visit.protocol.title.lower(),
                "medical condition", "trial")  # fmt: skip
    assert [w for w in clinical if w in text] == []
    assert "no medical information" in text


def test_passport_details_are_printed_but_never_stored_nor_logged(
    client: Client, bob: User, visit: Visit, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(bob)
    caplog.set_level(logging.DEBUG)
    details = {"passport_name": "AMIRA SYNTHETIC", "passport_number": PASSPORT,
               "nationality": "Omani"}  # fmt: skip

    response = client.post(f"/visits/{visit.pk}/travel-letter/", details)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = _text(response.content)
    assert "AMIRA SYNTHETIC" in text
    assert PASSPORT in text
    assert "Omani" in text
    stored = [str(e.changes) + e.reason for e in AuditEntry.objects.all()]
    stored += [str(r.__dict__) for r in IdempotencyRecord.objects.all()]
    assert not [s for s in stored if PASSPORT in s or "AMIRA" in s]
    assert PASSPORT not in caplog.text
    assert not Logistics.objects.filter(visit=visit).exists()


def test_a_passport_field_too_long_is_a_field_error(
    client: Client, bob: User, visit: Visit
) -> None:
    client.force_login(bob)

    response = client.post(f"/visits/{visit.pk}/travel-letter/", {"passport_number": "9" * 31})

    assert response.status_code == 422
    assert "at most 30 characters" in response.content.decode()


@pytest.fixture
def i18n(settings: Any) -> Iterator[None]:
    """Translation on (issue 17 item 1 turns it on for good): Django picks its translation
    functions on first use, so they are dropped before and after (as its docs advise)."""
    settings.USE_I18N = True
    translation._trans.__dict__.clear()  # type: ignore[attr-defined]
    yield
    translation._trans.__dict__.clear()  # type: ignore[attr-defined]


def test_the_letter_is_in_english_then_the_patients_language(
    bob: User, visit: Visit, i18n: None
) -> None:
    for code, rtl in (("es", False), ("ar", True)):
        visit.patient.preferred_language = code
        english, other = letter_sections(visit, None, {}, bob)
        assert 'lang="en" dir="ltr"' in english
        assert f'lang="{code}" dir="{"rtl" if rtl else "ltr"}"' in other
    visit.patient.preferred_language = "es"
    month = visit.window_open.month
    _, spanish = letter_sections(visit, None, {}, bob)
    spanish_months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                      "septiembre", "octubre", "noviembre", "diciembre"]  # fmt: skip
    assert spanish_months[month - 1] in spanish


def test_an_english_speaking_patient_gets_one_section(bob: User, visit: Visit) -> None:
    for code in ("", "en", "xx"):  # not set, English, not shipped: English only
        visit.patient.preferred_language = code
        assert len(letter_sections(visit, None, {}, bob)) == 1


def test_the_letter_needs_the_visits_capability_at_the_patients_site(
    client: Client, visit: Visit, make_user: Callable[..., User], north: Site, south: Site
) -> None:
    monitor = make_user("mona", Role.MONITOR, north)
    elsewhere = make_user("sam", Role.COORDINATOR, south)
    patient_user = User.objects.create(username="pat")
    Membership.objects.create(user=patient_user, site=north, role=Role.PATIENT)
    visit.patient.user = patient_user
    visit.patient.save()
    url = f"/visits/{visit.pk}/travel-letter/"

    for user, status in ((monitor, 403), (elsewhere, 404), (patient_user, 302)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
