"""The CordTrack registry: a Django project, one app per part of the patient journey.

Layering: views parse input, call one function in :mod:`cordtrack.server.services`, and render.
Services validate, write, and append to the audit trail in one transaction. The pure packages
(:mod:`cordtrack.isncsci`, :mod:`cordtrack.clinical`) never import Django.
"""
