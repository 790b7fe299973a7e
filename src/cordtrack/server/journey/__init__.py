"""Pages across the journey: the site dashboard, progress charts and the patient portal.

No models of its own; it reads through ``access.scoped`` and writes through the services.
"""
