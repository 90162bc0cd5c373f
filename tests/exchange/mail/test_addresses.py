"""The fast path for plain one-mailbox headers reads them as the standard library does."""

from __future__ import annotations

from email import policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.exchange.formats.mail.headers import simple_mailbox

PIECES = [
    "a", "Ada", " ", "  ", '"', ",", ".", "<", ">", "@", "b.org", "x-y", "'", "+", "\\",
    "=?utf-8?q?J=C3=BCrgen?=", "=?iso-8859-1?q?M=FCller?=", "(note)", ":", ";", "ö", "\t",
]  # fmt: skip


def _stdlib(value: str) -> list[tuple[str, str]]:
    header = policy.default.header_factory("from", value)
    return [(" ".join(a.display_name.split()), a.addr_spec) for a in header.addresses]


@pytest.mark.parametrize(
    "value",
    [
        "a@b.org",
        " Ada <ada@b.org> ",
        '"Okafor, Ada" <ada@b.org>',
        "=?ISO-8859-1?Q?J=FCrgen_M=FCller?= <Juergen@Example.ORG>",
        '"=?utf-8?q?J=C3=BCrgen?=" <p@x.org>',
        "<x@y.org>",
        "o'neil+tag@x-y.org",
    ],
)
def test_it_reads_the_plain_shapes(value):
    assert simple_mailbox(value) is not None
    assert [simple_mailbox(value)] == _stdlib(value)


@pytest.mark.parametrize(
    "value",
    [
        "J. R. <j@x.org>",
        "a@b.org (note)",
        "a@b, c@d",
        "dörte@bücher.de",
        "g: a@b;",
        "=?utf-8?q?J=C3=BCrgen?=@a",  # hypothesis found it: the stdlib decodes the word
    ],
)
def test_it_leaves_other_shapes_to_the_standard_library(value):
    assert simple_mailbox(value) is None


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@settings(max_examples=300, deadline=None)
def test_where_it_answers_it_agrees_with_the_standard_library(value):
    fast = simple_mailbox(value)
    if fast is not None:
        assert [fast] == _stdlib(value)
