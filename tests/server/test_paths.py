"""Links reversed once per route (``paths``, ADR 0060) are the paths ``reverse`` gives."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from cordtrack.server import paths

ROUTES = ("patients:detail", "exam-detail", "visit-detail", "ae-detail", "query-detail",
          "document-download")  # fmt: skip


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("pk", [1, 7, 42, 10**9])
def test_a_path_by_key_is_the_path_reverse_gives(name: str, pk: int) -> None:
    assert paths.by_pk(name)(pk) == reverse(name, args=[pk])
    assert paths.pk_path(pk, name) == reverse(name, args=[pk])


def test_the_script_prefix_of_the_request_is_kept() -> None:
    """Served under a prefix (a proxy's ``SCRIPT_NAME``), every link carries it, as reverse's do."""
    try:
        set_script_prefix("/registry/")
        assert paths.pk_path(5, "patients:detail") == reverse("patients:detail", args=[5])
        assert paths.pk_path(5, "patients:detail").startswith("/registry/")
    finally:
        set_script_prefix("/")
    assert not paths.pk_path(5, "patients:detail").startswith("/registry/")


def test_the_template_filter_renders_the_same_link_as_the_url_tag() -> None:
    text = Template("{% url 'patients:detail' p %}|{{ p|pk_path:'patients:detail' }}").render(
        Context({"p": 31})
    )
    left, right = text.split("|")
    assert left == right == reverse("patients:detail", args=[31])


def test_a_route_without_a_single_key_is_refused() -> None:
    with pytest.raises(NoReverseMatch):  # the list route takes no key
        paths.by_pk("patients:list")


@pytest.mark.parametrize("name", ["dashboard", "patients:list", "exam-list", "otp-setup", "logout"])
def test_a_route_without_arguments_is_the_path_the_url_tag_gives(name: str) -> None:
    text = Template(f"{{% url '{name}' %}}|{{% route '{name}' %}}").render(Context({}))
    left, right = text.split("|")
    assert left == right == reverse(name)
    try:
        set_script_prefix("/registry/")
        assert paths.plain(name) == reverse(name)
        assert paths.plain(name).startswith("/registry/")
    finally:
        set_script_prefix("/")


def test_an_unknown_route_fails_as_the_url_tag_does() -> None:
    with pytest.raises(NoReverseMatch):
        Template("{% route 'no-such-route' %}").render(Context({}))
