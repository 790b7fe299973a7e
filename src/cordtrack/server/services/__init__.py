"""Use cases: one function per write, each validating, saving and auditing in one transaction.

Every function takes the acting user first, checks the actor's capability at the record's site
(:mod:`cordtrack.server.access`), and raises :class:`django.core.exceptions.ValidationError` with
field-level messages for bad input, having changed nothing.
"""
