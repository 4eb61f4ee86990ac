"""The identifier page: everything known about a number, account, wallet or URL (its
alerts, the victim reports naming it, the persons holding it, the groups it is in).

The identifier is posted, never put in the URL: a number or an account is personal data.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from scamnet.api.deps import SessionDep
from scamnet.core.identifiers import InvalidIdentifier, parse_identifier
from scamnet.network.identifiers import KINDS, identifier_page
from scamnet.web.purpose import IdentifiersWhy
from scamnet.web.render import page
from scamnet.web.route import WebRoute

router = APIRouter(route_class=WebRoute)
WALLET = re.compile(r"^(T[1-9A-HJ-NP-Za-km-z]{33}|0x[0-9a-fA-F]{40})$")
IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9 ]{10,34}$")
DIGITS = re.compile(r"^\+?[\d\s().-]{6,34}$")


def guess(text: str) -> tuple[str, str] | None:
    """The kind of identifier ``text`` is, with the text to parse, or None (a name).

    Only the shape is looked at; each kind tried must also parse. A string of digits is
    a phone number when it is one, else a bank account.
    """
    value = text.strip()
    if "://" in value or value.lower().startswith("www."):
        tries = [("url", value if "://" in value else f"http://{value}")]
    elif WALLET.match(value):
        tries = [("wallet", value)]
    elif IBAN.match(value.upper()):
        tries = [("acct", value)]
    elif DIGITS.match(value):
        tries = [("tel", value), ("acct", re.sub(r"[\s().-]", "", value))]
    else:
        return None
    for kind, raw in tries:
        try:
            parse_identifier(kind, raw)
        except InvalidIdentifier:
            continue
        return kind, raw
    return None


@router.post("/identifier")
def identifier(
    request: Request,
    session: SessionDep,
    actor: IdentifiersWhy,
    kind: Annotated[str, Form(max_length=10)],
    value: Annotated[str, Form(min_length=1, max_length=2048)],
) -> Response:
    """The identifier's page; a malformed value is refused in one line."""
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; one of {', '.join(KINDS)}")
    return render(request, session, actor, kind, value)


def render(request: Request, session: SessionDep, actor: object, kind: str, raw: str) -> Response:
    found = identifier_page(session, actor, kind, raw)  # type: ignore[arg-type]
    return page(request, "identifier.html", actor, found=found)  # type: ignore[arg-type]
