"""The REST API under ``/api/v1/`` (django-ninja; see ``docs/api.md`` and the ADR).

Bearer tokens per user (:mod:`.models`, created by ``cordtrack token create``), the same roles
and site scoping as the pages (``cordtrack.server.access``), field errors with status 422,
``Idempotency-Key`` on POSTs, limit/offset pagination and the FHIR R4 export.
"""
