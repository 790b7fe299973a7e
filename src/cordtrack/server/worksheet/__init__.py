"""The ISNCSCI worksheet page: grid layout, live classification, explanation and body map.

No models of its own: exams are stored by ``cordtrack.server.exams`` through the exam services.
"""
