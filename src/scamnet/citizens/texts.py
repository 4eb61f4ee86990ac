"""What the public is told, in French, Chinese and English."""

from __future__ import annotations

from scamnet.core.records import FraudType

CATEGORIES: dict[str, dict[str, str]] = {
    FraudType.IMPERSONATE_AUTHORITY: {
        "fr": "usurpation de l'identité de la police ou d'une administration",
        "zh": "冒充公检法或政府机关",
        "en": "impersonating the police or a public authority",
    },
    FraudType.CUSTOMER_SERVICE: {
        "fr": "faux service client (remboursement, commande)",
        "zh": "冒充客服（退款、订单问题）",
        "en": "fake customer service (refunds, orders)",
    },
    FraudType.LOAN_CREDIT: {
        "fr": "faux prêt ou crédit", "zh": "虚假贷款、征信", "en": "fake loan or credit",
    },
    FraudType.INVESTMENT: {
        "fr": "faux placement ou investissement", "zh": "虚假投资理财",
        "en": "fake investment",
    },
    FraudType.TASK_REBATE: {
        "fr": "fausses tâches rémunérées (« likes », commandes fictives)", "zh": "刷单返利",
        "en": "fake paid tasks (likes, fake orders)",
    },
    FraudType.IMPERSONATE_ACQUAINTANCE: {
        "fr": "usurpation d'un proche ou d'un supérieur", "zh": "冒充熟人、领导",
        "en": "impersonating a relative, friend or boss",
    },
    FraudType.ROMANCE: {
        "fr": "arnaque sentimentale", "zh": "网络交友、婚恋诈骗", "en": "romance scam",
    },
    FraudType.OTHER: {"fr": "autre escroquerie", "zh": "其他诈骗", "en": "other fraud"},
}  # fmt: skip

LEVELS: dict[str, dict[str, str]] = {
    "high": {
        "fr": "Risque élevé : signalé comme escroquerie.",
        "zh": "高风险：已被认定或多次举报为诈骗。",
        "en": "High risk: reported as a scam.",
    },
    "medium": {
        "fr": "Risque : des victimes l'ont signalé.",
        "zh": "有风险：已有受害人举报。",
        "en": "At risk: victims have reported it.",
    },
    "unknown": {
        "fr": "Aucun signalement connu. Cela ne garantit pas qu'il soit sûr.",
        "zh": "暂无举报记录。这并不代表它一定安全。",
        "en": "No known reports. That does not mean it is safe.",
    },
}

ADVICE: dict[str, str] = {
    "fr": "Ne transférez jamais d'argent à la demande d'un inconnu, même s'il se présente "
    "comme policier ou banquier. Raccrochez et rappelez le numéro officiel. En cas de "
    "doute, faites un signalement.",
    "zh": "公检法不会通过电话要求转账，银行不会索要验证码。陌生人要求转账请立即挂断，"
    "拨打官方电话核实。如有疑问，请举报。",
    "en": "Never send money because a stranger asks, even one who says they are police or "
    "bank staff. Hang up and call the official number back. If in doubt, report it.",
}
