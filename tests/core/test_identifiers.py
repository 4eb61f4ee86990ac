"""Identifier types: cleaning, validation, comparison and graph keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scamnet.core.identifiers import (
    IDENTIFIER_TYPES,
    BankAccount,
    ChatAccount,
    Imei,
    InvalidIdentifier,
    IpAddress,
    Phone,
    Url,
    Wallet,
    parse_identifier,
)
from scamnet.core.identifiers.base import luhn_check_digit
from scamnet.core.identifiers.wallet import eip55, tron_address


class TestPhone:
    def test_chinese_mobile_with_spaces_becomes_e164(self) -> None:
        assert Phone.parse_in("138 0013 8000", "CN").value == "+8613800138000"

    @pytest.mark.parametrize(
        "raw", ["+86 138-0013-8000", "008613800138000", "(+86) 13800138000", "13800138000"]
    )
    def test_spellings_of_one_number_are_equal(self, raw: str) -> None:
        assert Phone.parse(raw) == Phone.parse("+8613800138000")

    def test_default_region_is_configurable(self) -> None:
        mm = Phone.parse_in("09 420 123 456", "MM")
        assert mm.value == "+959420123456"
        assert mm.region == "MM"
        assert mm.country_code == 95

    def test_graph_key(self) -> None:
        assert Phone.parse("13800138000").graph_key == "tel:+8613800138000"

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            ("12", "wrong length"),
            ("hello", "letters"),
            ("+86 100 0000 0000", "valid"),
            ("+8613800I38000", "letters"),  # libphonenumber would read the I as a 4
        ],
    )
    def test_invalid_numbers_say_why(self, raw: str, reason: str) -> None:
        with pytest.raises(InvalidIdentifier, match=reason) as info:
            Phone.parse(raw)
        assert info.value.kind == "tel"

    def test_non_text_is_refused(self) -> None:
        with pytest.raises(InvalidIdentifier, match="expected text"):
            Phone.parse(13800138000)

    def test_oversized_value_is_refused(self) -> None:
        with pytest.raises(InvalidIdentifier, match="longer than any"):
            Phone.parse("1" * 5000)


class TestImei:
    def test_valid_15_digits(self) -> None:
        assert Imei.parse("49-015420-323751-8").value == "490154203237518"

    def test_14_digits_gain_their_check_digit(self) -> None:
        assert Imei.parse("49015420323751").value == "490154203237518"

    def test_imeisv_names_the_same_device(self) -> None:
        assert Imei.parse("4901542032375189").same_as(Imei.parse("490154203237518"))

    def test_bad_luhn(self) -> None:
        with pytest.raises(InvalidIdentifier, match="Luhn"):
            Imei.parse("490154203237519")

    @pytest.mark.parametrize("raw", ["1234", "49015420323751A", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥"])
    def test_wrong_shape(self, raw: str) -> None:
        with pytest.raises(InvalidIdentifier):
            Imei.parse(raw)

    def test_tac(self) -> None:
        assert Imei.parse("490154203237518").tac == "49015420"


class TestBankAccount:
    def test_domestic_digits(self) -> None:
        assert BankAccount.parse("6222 0212 3456 7890").value == "6222021234567890"

    def test_iban_with_valid_checksum(self) -> None:
        acct = BankAccount.parse("gb82 west 1234 5698 7654 32")
        assert acct.value == "GB82WEST12345698765432"
        assert acct.is_iban

    def test_iban_with_bad_checksum(self) -> None:
        with pytest.raises(InvalidIdentifier, match="checksum"):
            BankAccount.parse("GB83WEST12345698765432")

    @pytest.mark.parametrize("raw", ["123", "12ab34567", "1" * 31])
    def test_bad_numbers(self, raw: str) -> None:
        with pytest.raises(InvalidIdentifier):
            BankAccount.parse(raw)


class TestWallet:
    def test_tron_round_trip(self) -> None:
        addr = tron_address(bytes(range(20)))
        assert addr.startswith("T")
        assert Wallet.parse(addr).value == f"trx:{addr}"
        assert Wallet.parse(addr).chain == "trx"

    def test_tron_bad_checksum(self) -> None:
        addr = tron_address(bytes(range(20)))
        broken = addr[:-1] + ("a" if addr[-1] != "a" else "b")
        with pytest.raises(InvalidIdentifier, match="checksum"):
            Wallet.parse(broken)

    def test_eth_eip55_vector(self) -> None:
        # Test vector from the EIP-55 specification.
        good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        wallet = Wallet.parse(good)
        assert wallet.value == "eth:" + good.lower()
        assert wallet.address == good

    def test_eth_all_lower_has_no_checksum_to_check(self) -> None:
        assert Wallet.parse("0x" + "ab" * 20).chain == "eth"

    def test_eth_bad_mixed_case(self) -> None:
        with pytest.raises(InvalidIdentifier, match="EIP-55"):
            Wallet.parse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")

    def test_unknown_chain(self) -> None:
        with pytest.raises(InvalidIdentifier, match="neither"):
            Wallet.parse("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh")


class TestUrl:
    def test_down_to_registrable_domain(self) -> None:
        url = Url.parse("HTTPS://Login.Example.co.uk/verify?id=1")
        assert url.value == "https://login.example.co.uk/verify?id=1"
        assert url.domain == "example.co.uk"
        assert url.graph_key == "dom:example.co.uk"

    def test_scheme_is_added(self) -> None:
        assert Url.parse("icbc-refund.top/a").value == "http://icbc-refund.top/a"

    def test_idn_is_punycoded(self) -> None:
        url = Url.parse("https://аpple.com/")  # Cyrillic 'а': a homograph
        assert url.is_idn
        assert url.domain.startswith("xn--")

    def test_ip_host(self) -> None:
        assert Url.parse("http://185.10.68.1:8080/x").domain == "185.10.68.1"

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            ("ftp://example.com", "scheme"),
            ("http://localhost/", "registrable"),
            ("http://exa mple.com", "white space"),
            ("http:///path", "no host"),
        ],
    )
    def test_invalid(self, raw: str, reason: str) -> None:
        with pytest.raises(InvalidIdentifier, match=reason):
            Url.parse(raw)


class TestIp:
    def test_v6_compressed(self) -> None:
        assert IpAddress.parse("2001:0db8:0000::0001").value == "2001:db8::1"
        assert IpAddress.parse("2001:db8::1").version == 6

    def test_v4(self) -> None:
        assert IpAddress.parse(" 10.0.0.1 ").graph_key == "ip:10.0.0.1"

    def test_invalid(self) -> None:
        with pytest.raises(InvalidIdentifier):
            IpAddress.parse("300.1.1.1")


def test_chat_account() -> None:
    assert ChatAccount.parse("Telegram:@Boss_Li").value == "telegram:boss_li"
    with pytest.raises(InvalidIdentifier, match="platform"):
        ChatAccount.parse("myspace:abc")


def test_parse_identifier_by_kind() -> None:
    assert parse_identifier("tel", "13800138000") == Phone.parse("13800138000")
    with pytest.raises(InvalidIdentifier, match="unknown identifier kind"):
        parse_identifier("fax", "123")


# --- properties ------------------------------------------------------------------

cn_mobiles = st.builds(
    lambda prefix, rest: f"1{prefix}{rest:08d}",
    st.sampled_from(["38", "39", "58", "86", "88", "36", "50", "87"]),
    st.integers(0, 99_999_999),
)
spacing = st.sampled_from(["", " ", "-"])


@given(cn_mobiles, spacing)
def test_phone_cleaning_is_idempotent_and_keys_agree(number: str, sep: str) -> None:
    spaced = sep.join([number[:3], number[3:7], number[7:]])
    a, b = Phone.parse(number), Phone.parse(spaced)
    assert a == b
    assert a.graph_key == b.graph_key
    assert Phone.parse(a.value) == a


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_imei_cleaning_is_idempotent(body: str) -> None:
    imei = Imei.parse(body)
    assert Imei.parse(imei.value) == imei
    assert imei.value == body + str(luhn_check_digit(body))


@given(st.binary(min_size=20, max_size=20))
def test_tron_addresses_round_trip(payload: bytes) -> None:
    w = Wallet.parse(tron_address(payload))
    assert Wallet.parse(w.address) == w
    assert Wallet.parse(w.value) == w


@given(st.binary(min_size=20, max_size=20))
def test_eth_checksum_case_round_trips(payload: bytes) -> None:
    checksummed = "0x" + eip55(payload.hex())
    w = Wallet.parse(checksummed)
    assert w == Wallet.parse(checksummed.lower())
    assert w.address == checksummed


@given(st.ip_addresses())
def test_ip_cleaning_is_idempotent(ip: object) -> None:
    once = IpAddress.parse(str(ip))
    assert IpAddress.parse(once.value) == once


@given(
    st.sampled_from(["example.com", "scam-refund.top", "bank.co.uk", "xn--80ak6aa92e.com"]),
    st.sampled_from(["", "www.", "login.secure."]),
    st.sampled_from(["/", "/a/b", "/x?y=1"]),
)
def test_url_cleaning_is_idempotent(domain: str, sub: str, path: str) -> None:
    url = Url.parse(f"https://{sub}{domain}{path}")
    assert Url.parse(url.value) == url
    assert url.graph_key == Url.parse(f"http://{domain}/").graph_key


@given(st.text(max_size=60))
def test_no_type_crashes_on_arbitrary_text(raw: str) -> None:
    for cls in IDENTIFIER_TYPES.values():
        try:
            ident = cls.parse(raw)
        except InvalidIdentifier:
            continue
        assert cls.parse(ident.value) == ident


@given(st.text(alphabet="0123456789", min_size=7, max_size=16))
def test_phone_fast_path_agrees_with_libphonenumber(digits: str) -> None:
    import phonenumbers

    text = "+" + digits
    try:
        number = phonenumbers.parse(text)
        expected = (
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)
            else None
        )
    except phonenumbers.NumberParseException:
        expected = None
    got = Phone.parse(text).value if Phone.is_valid(text) else None
    assert got == expected


def test_a_plus_zero_number_is_refused() -> None:
    # Found by the property test above: "+031…" is not the Netherlands (+31).
    with pytest.raises(InvalidIdentifier):
        Phone.parse("+031100000000")
