"""Keep patient data out of logs and error reports.

Request lines are logged without their query string (a search box may hold anything), error
reports show no request parameters, cookies or settings values, and error texts of mail servers
and SMS gateways are kept without the addresses and numbers they name.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

_QUERY = re.compile(r"\?[^\s\"]*")
#: An e-mail address as mail servers quote it (local part, @, host; no top-level domain needed:
#: demo and internal addresses such as ``monitor@nth`` have none). Quotes and braces, legal but
#: rare in a local part, are left out: they surround addresses in Python's reprs of refusals.
_EMAIL = re.compile(r"[\w.!#$%&*+/=?^~-]+@[\w-]+(?:\.[\w-]+)*")
#: A phone number: 7 to 15 digits (E.164 has at most 15) in groups separated by a space, dot,
#: hyphen or parenthesis, with or without ``+``. Shorter runs (SMTP codes 550, 5.1.1, errno 111,
#: ports) are kept; an IPv4 address is kept too (four dotted groups of at most 3 digits).
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d(?:[ .()-]{0,2}\d){6,14}(?![\w])")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def redact_contacts(text: str) -> str:
    """``text`` with every e-mail address and phone number replaced: error texts of mail servers
    and SMS gateways name the recipient (``550 5.1.1 <someone@example.org>: Recipient address
    rejected``), and such texts are stored (the outbox's ``last_error``) and printed."""
    text = _EMAIL.sub("[e-mail]", text)
    return _PHONE.sub(lambda m: m[0] if _IPV4.fullmatch(m[0]) else "[phone]", text)


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
