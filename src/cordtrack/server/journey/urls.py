from __future__ import annotations

from django.urls import path

from . import board, dashboard, portal, progress, worklists

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("portal/", portal.portal, name="portal"),
    path("portal/questionnaires/<str:code>/", portal.questionnaire, name="portal-questionnaire"),
    path("patients/<int:pk>/progress/", progress.progress, name="patient-progress"),
    path("intake/", board.intake_board, name="intake-board"),
    path("visits/", board.visit_calendar, name="visit-calendar"),
    path("logistics/", board.logistics_list, name="logistics-list"),
    path("exams/", worklists.exam_list, name="exam-list"),
    path("adverse-events/", worklists.adverse_event_list, name="ae-list"),
    path("visits/list/", worklists.visit_list, name="visit-list"),
    path("queries/", worklists.query_list, name="query-list"),
    path("patients/worklist/", worklists.patient_worklist, name="patient-worklist"),
]
