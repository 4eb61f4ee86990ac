"""Brand look-alikes and IDN homographs, judged from the domain alone."""

from __future__ import annotations

import pytest

from scamnet.detect.lookalike import imitated_brand, is_homograph, skeleton
from scamnet.detect.text import TextModel
from scamnet.detect.urlfeatures import LEXICAL_NAMES, LEXICAL_V1, lexical


@pytest.mark.parametrize(
    ("domain", "brand"),
    [
        ("amaz0n.cc", "amazon"),  # digit for letter
        ("paypa1-login.com", "paypal"),  # inside a hyphenated name
        ("arnazon.com", "amazon"),  # "rn" for "m"
        ("ta0ba0.com", "taobao"),
        ("xn--pple-43d.com", "apple"),  # Cyrillic а, in punycode
        ("paypall.com", "paypal"),  # doubled letter
        ("gogle.com", "google"),  # dropped repeated letter
        ("amzaon.com", "amazon"),  # swapped neighbours
        ("paypal.com", None),
        ("apple.com", None),
        ("googles.com", None),  # an ordinary word around the brand
        ("chaser.com", None),
        ("applebees.com", None),
        ("telegraf.com.ua", None),  # one substituted letter makes real words too
        ("apply-rebate.uk", None),
        ("example.com", None),
    ],
)
def test_imitated_brand(domain: str, brand: str | None) -> None:
    assert imitated_brand(domain) == brand


def test_skeletons_fold_width_digits_and_foreign_letters() -> None:
    assert (
        skeleton("ｐａｙｐａｌ") == skeleton("paypal") == skeleton("pаypa1")
    )  # full width, Cyrillic
    assert skeleton("rnicrosoft") == skeleton("microsoft")


def test_homographs_are_idn_labels_that_read_as_latin() -> None:
    assert is_homograph("xn--pple-43d.com")  # аpple: one Cyrillic letter
    assert is_homograph("xn--80ak6aa92e.com")  # аррӏе: all Cyrillic, reads "apple"
    assert is_homograph("secure.xn--pypal-4ve.com")  # pаypal
    assert not is_homograph("xn--fiqs8s.cn")  # 中国: not imitating Latin
    assert not is_homograph("中国.cn")
    assert not is_homograph("paypal.com")


def test_lexical_features_flag_lookalikes_and_old_models_keep_their_columns() -> None:
    flags = dict(zip(LEXICAL_NAMES, lexical("http://xn--pple-43d.com/verify"), strict=True))
    assert flags["brand_lookalike"] == 1.0 and flags["idn_homograph"] == 1.0
    plain = dict(zip(LEXICAL_NAMES, lexical("https://www.apple.com/iphone"), strict=True))
    assert plain["brand_lookalike"] == 0.0 and plain["idn_homograph"] == 0.0
    # A URL model saved before these features existed scores on its 13 columns.
    old = TextModel("url")
    assert old._lexical() == LEXICAL_V1 and len(LEXICAL_V1) == 13
    assert TextModel("url").fit(
        ["http://a.com/x", "http://amaz0n.cc/login"] * 4, ["benign", "phishing"] * 4
    )._lexical() == tuple(LEXICAL_NAMES)
