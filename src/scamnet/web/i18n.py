"""The interface's languages: French, Chinese and English from gettext catalogues.

Translators work on ``locale/<lang>/LC_MESSAGES/messages.po`` (``pybabel update``);
the compiled ``.mo`` files ship with the package. The language is the reader's choice
(a cookie set by the switcher), else the browser's Accept-Language, else English.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
TEMPLATES = HERE / "templates"
LANGS = ("fr", "zh", "en")
DEFAULT_LANG = "en"
LANG_COOKIE = "scamnet_lang"
# The language's own name, shown in the switcher whatever the page's language.
LANG_NAMES = {"fr": "Français", "zh": "中文", "en": "English"}


def pick_lang(request: Request) -> str:
    """The reader's language: their explicit choice, else the browser's first match."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGS:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English is the source language)."""
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


@cache
def environment(lang: str) -> Environment:
    """One Jinja environment per language, its gettext installed (thread-safe: never
    switched per request)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    from scamnet.web.texts import GLOBALS  # the domain's codes as words, translated in place

    catalogue = translations(lang)

    def word(code: str | None, table: dict[str, str]) -> str:
        """A domain code (a status, a role…) in the reader's language; nothing for none
        (gettext of "" is the catalogue's header, not a word)."""
        return catalogue.gettext(table.get(code, code)) if code else ""

    from scamnet.web.wording import translate  # texts the domain composed in English

    def composed(text: str | None) -> str:
        """A text a use case composed and stored in English (an alert's reasons, a
        member's evidence…), in the reader's language part by part."""
        return translate(text, lang)

    env.globals.update(GLOBALS, word=word)
    env.filters["composed"] = composed
    return env


def gettext(lang: str, message: str) -> str:
    """``message`` in ``lang`` (for text composed in Python, such as chart labels)."""
    return translations(lang).gettext(message)
