"""The sponsor's view of the registry (issue 15 item 5, ADR 0050): cross-site aggregate reports,
safety per arm and the de-identified export of the sites it sponsors; never a patient page, never
an identifier, and every access in the audit trail (``audit.reads``)."""
