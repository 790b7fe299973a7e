"""Keep patient data out of logs and error reports.

Request lines are logged without their query string (a search box may hold anything), and error
reports show no request parameters, cookies or settings values.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

_QUERY = re.compile(r"\?[^\s\"]*")


class StripQueryStrings(logging.Filter):
    """Drops query strings from log lines: ``GET /patients/?q=NTH-0001`` → ``GET /patients/?…``.

    Django attaches the request to its own records (``django.request``: ``record.request``), which
    a JSON formatter would write out whole, query string included: it is replaced by its method
    and path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = ()
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            method = getattr(request, "method", "")
            record.request = f"{method} {getattr(request, 'path', '')}".strip()
        return True


class NoPatientDataReporterFilter(SafeExceptionReporterFilter):
    """Error reports list no POST data and no local variables of any frame."""

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, "********")

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        return dict.fromkeys(tb_frame.f_locals, "********").items()
