"""The domain's words as the pages show them: fraud types, statuses, roles, kinds.

The domain keeps stable codes (``impersonate_authority``, ``detained_abroad``…); these
are their English texts, marked for the catalogues so translators give the French and
Chinese ones. Templates translate them where they are shown: ``_(fraud_names[code])``.
A code missing here is shown as it is stored.
"""

from __future__ import annotations

from scamnet.web.render import N_

FRAUD_NAMES = {
    "impersonate_authority": N_("Impersonating the police or an authority"),
    "customer_service": N_("Fake customer service"),
    "loan_credit": N_("Loan or credit"),
    "investment": N_("Investment"),
    "task_rebate": N_("Paid tasks (brushing)"),
    "impersonate_acquaintance": N_("Impersonating an acquaintance"),
    "romance": N_("Romance"),
    "other": N_("Other"),
}
SUSPECT_STATUS_NAMES = {
    "identified": N_("identified"),
    "wanted": N_("wanted"),
    "located": N_("located"),
    "detained_abroad": N_("detained abroad"),
    "transfer_requested": N_("transfer requested"),
    "handed_over": N_("handed over"),
    "in_custody": N_("in custody"),
    "charged": N_("charged"),
    "convicted": N_("convicted"),
    "released": N_("released"),
    "deceased": N_("deceased"),
}
TRANSFER_STATUS_NAMES = {
    "sent": N_("sent"),
    "acknowledged": N_("acknowledged"),
    "executed": N_("executed"),
    "refused": N_("refused"),
}
ALERT_STATUS_NAMES = {
    "open": N_("open"),
    "confirmed": N_("confirmed"),
    "false_positive": N_("false positive"),
    "needs_review": N_("needs review"),
}
ROLE_NAMES = {
    "mastermind": N_("mastermind"),
    "organiser": N_("organiser"),
    "key_member": N_("key member"),
    "member": N_("member"),
    "recruiter": N_("recruiter"),
    "money_mule": N_("money mule"),
    "key_figure": N_("key figure"),
}
USER_ROLE_NAMES = {
    "viewer": N_("viewer"),
    "analyst": N_("analyst"),
    "investigator": N_("investigator"),
    "liaison": N_("liaison officer"),
    "supervisor": N_("supervisor"),
    "admin": N_("administrator"),
}
KIND_NAMES = {
    "tel": N_("phone number"),
    "acct": N_("bank account"),
    "wallet": N_("crypto wallet"),
    "url": N_("web address"),
    "imei": N_("handset (IMEI)"),
    "ip": N_("IP address"),
    "chat": N_("chat account"),
    "subscriber": N_("subscriber"),
    "message": N_("message"),
    "account": N_("account"),
    "cell": N_("cell tower"),
}
CUSTODY_NAMES = {
    "received": N_("received"),
    "identity_verified": N_("identity verified"),
    "health_check": N_("health check"),
    "transferred": N_("transferred"),
}
# The dissuasion queue (stream/queue.py): an item's status, an officer's outcome, and
# the channel of the contact (stream/arrival.CHANNEL).
QUEUE_STATUS_NAMES = {"open": N_("open"), "taken": N_("taken"), "closed": N_("closed")}
OUTCOME_NAMES = {
    "reached": N_("reached"),
    "warned": N_("warned"),
    "money_stopped": N_("money stopped"),
    "no_answer": N_("no answer"),
}
CHANNEL_NAMES = {"call": N_("call"), "message": N_("message"), "transfer": N_("transfer")}

GLOBALS = {
    "fraud_names": FRAUD_NAMES,
    "status_names": {**ALERT_STATUS_NAMES, **SUSPECT_STATUS_NAMES, **TRANSFER_STATUS_NAMES},
    "role_names": ROLE_NAMES,
    "user_role_names": USER_ROLE_NAMES,
    "kind_names": KIND_NAMES,
    "custody_names": CUSTODY_NAMES,
    "queue_status_names": QUEUE_STATUS_NAMES,
    "outcome_names": OUTCOME_NAMES,
    "channel_names": CHANNEL_NAMES,
}
