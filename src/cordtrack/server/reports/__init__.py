"""Reports: per-patient outcomes, cohort and safety reports, the progress PDF and the claim check.

The statistics are ``cordtrack.outcomes``; this app only adapts registry records into its inputs
(:mod:`.adapters`), builds one set of figures per report (:mod:`.figures`, :mod:`.patient`) and
renders it as a page, a PDF (:mod:`.pdf`) or JSON (``cordtrack report``). See docs/reports.md.
"""
