"""Patient reminders (issue 17 item 3): visit and questionnaire reminders by e-mail and SMS, in
the patient's language, queued through the notification outbox (ADR 0046, 0047)."""
