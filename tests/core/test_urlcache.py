"""core.urlcache: url() gives exactly what reverse() gives, under any script prefix (menu entries, row partials)."""

import pytest
from django.urls import reverse, set_script_prefix

from core import urlcache


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("pk", [1, 7, 1234567])
def test_url_of_a_pk_equals_reverse(prefix, pk):
    for script in ("/", "/portal/"):
        prefix(script)
        for name in ("beneficiaries:household_detail", "infrastructure:project_detail"):
            assert urlcache.url(name, pk) == reverse(name, args=[pk])


def test_url_without_a_number_is_reversed_as_is(prefix):
    assert urlcache.url("beneficiaries:household_list") == reverse("beneficiaries:household_list")
    prefix("/portal/")
    assert (
        urlcache.url("beneficiaries:household_list") == "/portal/registri/" == reverse("beneficiaries:household_list")
    )
