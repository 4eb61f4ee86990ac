"""The alerted text with the phrases its explanation quotes marked in place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scamnet.detect.evidence import Part, alert_text, mark, quoted_phrases
from scamnet.settings import Settings
from scamnet.store.alerts import AlertView


def test_the_quoted_phrases_are_marked_across_case_and_spaces() -> None:
    text = "Je suis ingénieur. Envoie-moi 383 €  par   Western Union. Fais-moi confiance."
    phrases = quoted_phrases("“par western union”, “moi confiance”, “envoie”")
    assert phrases == ["par western union", "moi confiance", "envoie"]
    parts = mark(text, phrases)
    assert "".join(p.text for p in parts) == text  # nothing lost or added
    assert [p.text for p in parts if p.marked] == ["Envoie", "par   Western Union",
                                                   "moi confiance"]  # fmt: skip


def test_nothing_is_marked_when_nothing_is_quoted() -> None:
    assert mark("a plain text", []) == [Part("a plain text", False)]
    assert mark("", ["x"]) == []


def _alert(kind: str, subject: str, why: str) -> AlertView:
    return AlertView(1, kind, subject, 0.9, "phishing", "m", "w", why,
                     datetime.now(UTC), None, None)  # fmt: skip


def test_a_url_alert_marks_its_own_subject(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path)
    parts = alert_text(settings, _alert("url", "http://paypal-refund.xyz/login", "“paypal”"))
    assert parts is not None
    assert [p.text for p in parts if p.marked] == ["paypal"]
    # A message no longer in the lake, or another kind of alert, has no text to show.
    missing = _alert("message", "+8613800000000|2023-10-05 22:54:47+00", "“envoie”")
    assert alert_text(settings, missing) is None
    assert alert_text(settings, _alert("subscriber", "+8613800000000", "calls = 3")) is None
