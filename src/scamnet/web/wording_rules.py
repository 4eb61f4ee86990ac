"""The English the domain composes and stores, as patterns the pages translate.

Alert explanations, membership evidence, site and group names, match evidence and the
dissuasion queue's reasons are written in English by the use cases and kept as the
record. ``web/wording.py`` splits such a text into its parts and translates each part it
finds here; a part found nowhere is shown as stored. The producers, which these tables
follow word for word (``tests/web/test_wording.py`` feeds their real outputs through and
fails on any part left unmatched):

- alert explanations: ``detect/tabular.py`` (``explain``, ``describe``, ``_fmt``) with the
  words of ``engine/features/subscriber_sql.FEATURES``, ``detect/tabular.GRAPH_WORDS`` and
  ``detect/accounts.ACCOUNT_WORDS``; ``detect/text.py`` (``phrases``, ``NOTHING``, the URL
  lexical features of ``detect/urlfeatures.LEXICAL_NAMES``); ``detect/reputation.py``;
  ``stream/arrival.py`` (the burst of calls, the models' flags);
- membership evidence: ``network/subgraph.py`` (``Seeds``, the SQL-composed reasons),
  ``network/structure.py``, ``network/membership.py``, ``network/run.py``,
  ``network/wording.counted``, ``store/cases.py``;
- site and group names: ``store/network.py``;
- match evidence: ``cases/handovers.py``, ``cases/preview.py``, ``resolve/match.py``,
  ``resolve/model.py`` (``reasons``);
- dissuasion: ``stream/watchlist.py`` (reasons), ``stream/queue.ADVICE``;
- the legal basis of automatic status changes: ``cases/suspects.py`` (a case from a
  group), ``cases/handovers.py`` (a handover).
"""

from __future__ import annotations

from scamnet.web.render import N_


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural; named so ``pybabel extract``'s default keywords
    take both forms (it is translated with the catalogue's own ``ngettext``)."""
    return singular, plural


# A count as the producers print it (``counted``: thousands separators).
N = r"\d[\d,]*"
NUM = r"-?\d[\d,.]*"

# The msgids are the producers' English itself, so each table is a set of them.
# Feature words of the detectors (shown as "<feature> = <value>").
FEATURES = frozenset(
    {
        # engine/features/subscriber_sql.FEATURES
        N_("calls made"),
        N_("calls received"),
        N_("distinct numbers called"),
        N_("share of calls that went to the most-called number"),
        N_("share of calls shorter than 30 s"),
        N_("mean call duration (s)"),
        N_("median call duration (s)"),
        N_("share of calls between midnight and 6:00 local time"),
        N_("share of called numbers that called back within the callback window"),
        N_("share of called numbers never called in the look-back period"),
        N_("handsets (IMEIs) this SIM was used in"),
        N_("most SIMs seen in any one of this SIM's handsets"),
        N_("distinct cells used"),
        N_("distinct regions of the cells used"),
        N_("share of calls from cells in border areas"),
        N_("share of calls from cells abroad (roaming)"),
        N_("messages sent"),
        N_("messages received"),
        N_("distinct message recipients"),
        N_("messages sent that carry a URL"),
        # detect/tabular.GRAPH_WORDS
        N_("contacts called"),
        N_("contacts calling in"),
        N_("share of labelled contacts that are known fraud"),
        N_("known-fraud contacts"),
        N_("centrality in the flow graph (PageRank)"),
        # detect/accounts.ACCOUNT_WORDS
        N_("transfers in"),
        N_("transfers out"),
        N_("accounts paying in"),
        N_("accounts paid"),
        N_("total received"),
        N_("total paid out"),
        N_("mean transfer in"),
        N_("mean transfer out"),
        N_("largest transfer in"),
        N_("largest transfer out"),
        N_("spread of amounts in"),
        N_("spread of amounts out"),
        N_("paid out per unit received"),
        N_("payers per payee"),
        N_("active periods"),
        N_("first active at"),
        N_("active span"),
        N_("share of round amounts"),
        N_("share of payees that also paid it"),
        N_("delay from money in to money out"),
        N_("smallest transfer in, as a share of the ledger's amounts below it"),
        N_("smallest transfer out, as a share of the ledger's amounts below it"),
        N_("share of transfers among the ledger's smallest 1%"),
        N_("counterparts paid or paid by more than once"),
        N_("most transfers with a single counterpart"),
    }
)
# detect/tabular.describe: a neighbour mean ("nb_…") of another feature.
CONTACTS_MEAN = ("contacts' mean ", N_("contacts' mean %(feature)s"))
# detect/tabular._fmt: a missing value.
VALUES = frozenset({N_("unknown")})

# detect/urlfeatures.LEXICAL_NAMES as detect/text.phrases writes them (a list of these).
LEXICAL = frozenset(
    {
        N_("url length"),
        N_("host length"),
        N_("path depth"),
        N_("digits in host"),
        N_("hyphens in host"),
        N_("subdomain depth"),
        N_("ip host"),
        N_("idn host"),
        N_("at sign"),
        N_("brand not in domain"),
        N_("phishing words"),
        N_("query length"),
        N_("no registrable domain"),
        N_("brand lookalike"),
        N_("idn homograph"),
    }
)

# Whole parts, word for word.
EXACT = frozenset(
    {
        # detect
        N_("nothing stands out"),
        N_("no phrase points to a scam"),
        N_("nothing in the URL points to phishing"),
        # stream/arrival.py: the flags' prefixes
        N_("subscriber model"),
        N_("message model"),
        # stream/watchlist.py
        N_("subject of a confirmed alert"),
        # network/subgraph.py
        N_("named in a victim report"),
        N_("used a handset of a suspected number"),
        N_("handset used by suspected numbers"),
        N_("a foreign or border cell the numbers use"),
        # network/membership.py, network/run.py
        N_("uses the group's foreign or border towers"),
        # network/structure.py: a number its group calls up to that is not rooted in it
        N_("called by the group, not its boss"),
        N_("no call or money tie to the group"),
        N_(
            "a shared handset ties only with a victim report, the group's towers or no contacts "
            "outside the group"
        ),
        # the same, as runs before handsets stopped counting as a tie stored it
        N_("no call, money or handset tie to the group"),
        N_("no evidence"),
        N_("not assessed"),
        # store/cases.py
        N_("entered by an analyst"),
        # store/network.py
        N_("unknown place"),
        N_("unknown"),
        # cases/handovers.py, cases/preview.py
        N_("no known person matched"),
        N_("a new person would be recorded"),
        N_("counted, not named"),
        # resolve/match.py
        N_("different document numbers of the same kind"),
        N_("same name"),
        N_("name spelled alike"),
        N_("similar name"),
        N_("different name"),
        # resolve/model.py: NAME_LEVELS, DOB_LEVELS, EXACT_LEVELS
        N_("partly similar name (Jaro–Winkler ≥ 0.75)"),
        N_("similar name (≥ 0.88)"),
        N_("name spelled alike (≥ 0.95)"),
        N_("same name across scripts"),
        N_("same 汉字"),
        N_("different birth date"),
        N_("same birth year"),
        N_("birth date with day and month swapped"),
        N_("same birth date"),
        N_("same resident ID"),
        N_("same passport"),
        N_("same phone"),
        # stream/queue.ADVICE: the advice for each fraud type
        N_("The police never ask for money or a 'safe account' by phone: hang up, call 110."),
        N_(
            "No shop refunds through a screen-sharing app or a new transfer: stop, call the "
            "shop's published number."
        ),
        N_("A loan that needs a deposit or a 'credit repair' fee first is a scam: pay nothing."),
        N_(
            "Guaranteed high returns on an app a stranger recommends are a scam: do not deposit "
            "more."
        ),
        N_("Paid 'likes' or orders that ask you to pay in first are a scam: stop now."),
        N_("Call the friend or boss back on the number you know before sending anything."),
        N_("Someone you have never met who asks for money or an investment is a scam."),
        N_(
            "A caller flagged as a likely scam contacted you: do not transfer money, call 96110 "
            "for advice."
        ),
    }
)

Rule = tuple[str, str | tuple[str, str], str | None]

# (regex with named groups, msgid or (singular, plural) with the same names as
# placeholders, the group holding the count of a plural). A group named ``inner`` or
# ``why`` is itself a composed text, translated in turn; ``place`` is translated when
# it is one of EXACT ("unknown"). The first rule that matches a part wins, so a
# longer form comes before a shorter one it contains.
RULES: list[Rule] = [
    # network/membership.py: a lone weak piece of evidence
    (
        r"(?P<inner>.+) \(alone, not enough to make a member\)",
        N_("%(inner)s (alone, not enough to make a member)"),
        None,
    ),
    (r"a seed \((?P<why>.+)\)", N_("a seed (%(why)s)"), None),
    (r"confidence (?P<c>[\d.]+)", N_("confidence %(c)s"), None),
    (r"alert score (?P<s>[\d.]+)", N_("alert score %(s)s"), None),
    (
        rf"calls and is called back by (?P<n>{N}) group members? \(chain of command\), "
        rf"one-way calls with (?P<m>{N}) more",
        ngettext(
            "calls and is called back by %(n)s group member (chain of command), one-way "
            "calls with %(m)s more",
            "calls and is called back by %(n)s group members (chain of command), one-way "
            "calls with %(m)s more",
        ),
        "n",
    ),
    (
        rf"calls and is called back by (?P<n>{N}) group members? \(chain of command\)",
        ngettext(
            "calls and is called back by %(n)s group member (chain of command)",
            "calls and is called back by %(n)s group members (chain of command)",
        ),
        "n",
    ),
    (
        rf"money with (?P<n>{N}) group members?",
        ngettext("money with %(n)s group member", "money with %(n)s group members"),
        "n",
    ),
    (
        rf"shares a handset with (?P<n>{N}) group members? \(a tie, backed by a victim report, "
        r"the group's towers or no contacts outside the group\)",
        ngettext(
            "shares a handset with %(n)s group member (a tie, backed by a victim report, the "
            "group's towers or no contacts outside the group)",
            "shares a handset with %(n)s group members (a tie, backed by a victim report, the "
            "group's towers or no contacts outside the group)",
        ),
        "n",
    ),
    (
        rf"shares a handset with (?P<n>{N}) group members?",
        ngettext(
            "shares a handset with %(n)s group member", "shares a handset with %(n)s group members"
        ),
        "n",
    ),
    # network/subgraph.py, detect/reputation.py, stream/watchlist.py
    (
        rf"named in (?P<n>{N}) victim reports? \((?P<domain>[^()]+)\)",
        ngettext(
            "named in %(n)s victim report (%(domain)s)",
            "named in %(n)s victim reports (%(domain)s)",
        ),
        "n",
    ),
    (
        rf"named in (?P<n>{N}) victim reports?",
        ngettext("named in %(n)s victim report", "named in %(n)s victim reports"),
        "n",
    ),
    (
        rf"named by (?P<n>{N}) victim reports?",
        ngettext("named by %(n)s victim report", "named by %(n)s victim reports"),
        "n",
    ),
    (r"on the watch list (?P<name>.+)", N_("on the watch list %(name)s"), None),
    (r"(?P<kind>subscriber) alert, score (?P<s>[\d.]+)", N_("subscriber alert, score %(s)s"), None),
    (r"(?P<kind>account) alert, score (?P<s>[\d.]+)", N_("account alert, score %(s)s"), None),
    (r"(?P<kind>message) alert, score (?P<s>[\d.]+)", N_("message alert, score %(s)s"), None),
    (r"(?P<kind>url) alert, score (?P<s>[\d.]+)", N_("URL alert, score %(s)s"), None),
    (
        rf"calls and is called back by (?P<n>{N}) suspected numbers?",
        ngettext(
            "calls and is called back by %(n)s suspected number",
            "calls and is called back by %(n)s suspected numbers",
        ),
        "n",
    ),
    (
        r"receives (?P<pct>\d+)% of its money from suspected accounts",
        N_("receives %(pct)s%% of its money from suspected accounts"),
        None,
    ),
    (
        rf"passes on (?P<pct>\d+)% of its outflow to suspected accounts, from (?P<n>{N}) payers?",
        ngettext(
            "passes on %(pct)s%% of its outflow to suspected accounts, from %(n)s payer",
            "passes on %(pct)s%% of its outflow to suspected accounts, from %(n)s payers",
        ),
        "n",
    ),
    # network/structure.py
    (r"command (?P<x>[\d.]+) of the group's top", N_("command %(x)s of the group's top"), None),
    (
        rf"(?P<n>{N}) tiers? of command below it",
        ngettext("%(n)s tier of command below it", "%(n)s tiers of command below it"),
        "n",
    ),
    (
        rf"(?P<n>{N}) numbers? calls? it more than it calls them back",
        ngettext(
            "%(n)s number calls it more than it calls them back",
            "%(n)s numbers call it more than it calls them back",
        ),
        "n",
    ),
    (
        rf"bridges (?P<n>{N}) teams? \(their bosses report to it\)",
        ngettext(
            "bridges %(n)s team (their bosses report to it)",
            "bridges %(n)s teams (their bosses report to it)",
        ),
        "n",
    ),
    (
        rf"receives (?P<amount>{NUM}) from (?P<n>{N}) group accounts?",
        ngettext(
            "receives %(amount)s from %(n)s group account",
            "receives %(amount)s from %(n)s group accounts",
        ),
        "n",
    ),
    (
        rf"(?P<inside>{N}) of its (?P<n>{N}) contacts? are in the group",
        ngettext(
            "%(inside)s of its %(n)s contact are in the group",
            "%(inside)s of its %(n)s contacts are in the group",
        ),
        "n",
    ),
    (r"passes on (?P<pct>\d+)%", N_("passes on %(pct)s%%"), None),
    (rf"sends (?P<amount>{NUM}) into the group", N_("sends %(amount)s into the group"), None),
    # store/network.py
    (
        r"compound near (?P<place>.+) #(?P<ref>\d+\.\d+)",
        N_("compound near %(place)s #%(ref)s"),
        None,
    ),
    (r"network (?P<id>\d+) \((?P<place>.+)\)", N_("network %(id)s (%(place)s)"), None),
    # stream/arrival.py
    (
        rf"(?P<n>{N}) calls? in the last (?P<m>\d+) min",
        ngettext("%(n)s call in the last %(m)s min", "%(n)s calls in the last %(m)s min"),
        "n",
    ),
    # cases/handovers.py, cases/preview.py
    (r"new person (?P<id>\d+)", N_("new person %(id)s"), None),
    (r"person[ :](?P<id>\d+) \(p=(?P<p>[\d.]+)\)", N_("person %(id)s (p=%(p)s)"), None),
    (r"warrant[ :](?P<id>\S+) \(p=(?P<p>[\d.]+)\)", N_("warrant %(id)s (p=%(p)s)"), None),
    # resolve/match.py
    (r"same document number (?P<doc>\S+)", N_("same document number %(doc)s"), None),
    (r"shares (?P<ident>\S+)", N_("shares %(ident)s"), None),
    (r"same birth date (?P<d>\S+)", N_("same birth date %(d)s"), None),
    (
        r"birth date (?P<a>\S+) is (?P<b>\S+) with day and month swapped",
        N_("birth date %(a)s is %(b)s with day and month swapped"),
        None,
    ),
    (
        r"different birth dates \((?P<a>\S+) / (?P<b>\S+)\)",
        N_("different birth dates (%(a)s / %(b)s)"),
        None,
    ),
]

# Whole texts that hold a composed text of their own, joins included: tried on the
# whole text before it is cut into parts.
WHOLE: list[Rule] = [
    # cases/suspects.py: the legal basis of a suspect taken from a group, whole, or cut
    # at 500 characters (the evidence's last part then shows as stored)
    (
        r"member of group (?P<group>\S+) \(confidence (?P<c>[\d.]+): (?P<inner>.+)\)",
        N_("member of group %(group)s (confidence %(c)s: %(inner)s)"),
        None,
    ),
    (
        r"member of group (?P<group>\S+) \(confidence (?P<c>[\d.]+): (?P<inner>.+)",
        N_("member of group %(group)s (confidence %(c)s: %(inner)s…"),
        None,
    ),
    # cases/handovers.py: the legal basis of a handover
    (
        r"handover batch (?P<batch>\S+) at (?P<crossing>.+) on (?P<date>\d{4}-\d{2}-\d{2})",
        N_("handover batch %(batch)s at %(crossing)s on %(date)s"),
        None,
    ),
]
