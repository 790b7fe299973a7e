"""/jobs/: the user's own background jobs with their progress (refreshed by htmx while one
runs), starting an export, and downloading a finished one (audited per patient)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import Cap, site_ids
from ..accounts.models import Site
from ..services import jobs as job_services
from ..services.exports import record_export
from .exports import exams_of
from .models import Job, JobState

_ACTIVE = (JobState.QUEUED, JobState.RUNNING)


def _context(request: HttpRequest) -> dict[str, object]:
    jobs = list(Job.objects.filter(requested_by_id=request.user.pk).select_related("site")[:50])
    sites = Site.objects.filter(pk__in=site_ids(request.user, Cap.EXPORT)).order_by("code")
    return {
        "jobs": jobs,
        "export_sites": list(sites),
        "active": any(j.state in _ACTIVE for j in jobs),
    }


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_rows.html", context)
    return render(request, "jobs/list.html", context)


@login_required
@require_POST
def start_export(request: HttpRequest) -> HttpResponse:
    site = Site.objects.filter(code=request.POST.get("site", "")).first()
    if site is None or site.pk not in site_ids(request.user, Cap.EXPORT):
        raise PermissionDenied("exports are for the data managers of a site")
    job_services.start_export(request.user, site)
    return redirect("jobs:list")


@login_required
def download(request: HttpRequest, pk: str) -> FileResponse:
    job = Job.objects.filter(pk=pk).select_related("requested_by").first()
    try:
        path = job_services.result_file(request.user, job) if job is not None else None
    except (LookupError, PermissionDenied):
        path = None
    if job is None or path is None or not path.exists():
        raise Http404("No such job")
    # Whose records leave with the file: in the audit trail before a byte is sent.
    patients = exams_of(job).values("patient_id")
    from ..patients.models import Patient

    record_export(
        request.user, Patient.objects.filter(pk__in=patients), kind="csv",
        destination=f"download of job {job.pk}", by="from the jobs page",
    )  # fmt: skip
    name = f"cordtrack-{job.site.code}-exams-{job.created_at:%Y%m%d-%H%M}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
