"""Sign actions: each a POST with the signer's password re-entered (21 CFR 11.200), answering
the signed record. A wrong password is a 422 on ``password`` and signs nothing; failures count
towards the same lockout as failed sign-ins (django-axes)."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time.

from typing import Any

from django.http import HttpRequest
from ninja import Router

from ...access import Cap, get_scoped_or_404
from ...exams.models import IsncsciExam
from ...services import exams as exam_services
from ..errors import responses
from ..schemas import ExamOut, SignIn
from . import checked_id, user_of
from .records import exam_out

router = Router()


@router.post("/exams/{exam_id}/sign", response=responses(200, ExamOut), tags=["exams"])
def sign_exam(request: HttpRequest, exam_id: int, payload: SignIn) -> dict[str, Any]:
    """Sign an exam as its author (meaning ``authored``; clinicians, data managers). Every cell
    must be filled. A signed exam that was corrected since (its signature ``invalidated``) is
    signed again the same way."""
    queryset = IsncsciExam.objects.select_related("patient")
    exam = get_scoped_or_404(user_of(request), queryset, Cap.CLINICAL, pk=checked_id(exam_id))
    exam_services.sign_exam(user_of(request), exam, password=payload.password, request=request)
    return exam_out(exam)
