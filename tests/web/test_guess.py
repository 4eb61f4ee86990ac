"""What the search box takes a query for: the shape decides, and the kind must parse."""

from __future__ import annotations

import pytest

from scamnet.web.identifiers import guess


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+8613800138000", ("tel", "+8613800138000")),
        ("https://police-kefu.vip/x", ("url", "https://police-kefu.vip/x")),
        ("www.jd183.cc", ("url", "http://www.jd183.cc")),
        ("0x52908400098527886E0F7030069857D2E4169EE7",
         ("wallet", "0x52908400098527886E0F7030069857D2E4169EE7")),
        ("6271638829509336395", ("acct", "6271638829509336395")),
        ("Zhang Wei", None),
        ("张伟", None),
    ],
)  # fmt: skip
def test_guess(text: str, expected: tuple[str, str] | None) -> None:
    assert guess(text) == expected
