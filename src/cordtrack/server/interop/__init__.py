"""Interoperability: FHIR R4 (R4B models) export, REDCap and flat CSV import and export of
ISNCSCI exams, and the de-identified research export. No Django models; writes go through the
service functions (``services/imports.py``)."""
