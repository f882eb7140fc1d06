"""File sizes as French readers write them: « 10 Mo », not Django's « 10,0 Mio » (upload limits, attachments)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from concerto.core.french import file_size

NBSP = "\u00a0"
MB = 1024 * 1024


@pytest.mark.parametrize(("size", "expected"), [
    (10 * MB, f"10{NBSP}Mo"), (int(1.5 * MB), f"1,5{NBSP}Mo"), (800 * 1024, f"800{NBSP}ko"),
    (1, f"1{NBSP}octet"), (512, f"512{NBSP}octets"), (MB - 10, f"1{NBSP}Mo"), (3 * 1024 * MB, f"3{NBSP}Go"),
    (None, ""),
])
def test_file_sizes_in_french_units_without_a_useless_decimal(size, expected):
    with translation.override("fr"):
        assert file_size(size) == expected


def test_file_sizes_in_english_say_mb():
    with translation.override("en"):
        assert file_size(10 * MB) == "10 MB"


def test_the_file_size_filter():
    with translation.override("fr"):
        html = Template("{% load french %}{{ size|file_size }}").render(Context({"size": 2 * MB}))
    assert html == f"2{NBSP}Mo"
