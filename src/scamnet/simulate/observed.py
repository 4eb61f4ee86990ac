"""Messages and victim reports drawn from the world and its money flows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np

from scamnet.core.records import FraudType
from scamnet.simulate.geo import PROVINCES
from scamnet.simulate.messages import LANG_WEIGHTS, MessageWriter, scam_domains
from scamnet.simulate.money import Ledger
from scamnet.simulate.world import FRAUD, NORMAL, World

WEEK = 7 * 86400
SCAM_TYPES = [t.value for t in FraudType if t is not FraudType.OTHER]
NARRATIVE = {
    "impersonate_authority": "对方自称{city}公安，称我涉嫌洗钱，要求把钱转到安全账户核查。",
    "customer_service": "对方冒充电商客服，说可以退款，让我下载软件共享屏幕后转走了钱。",
    "loan_credit": "我在网上申请贷款，对方要求先交解冻费和保证金，交完后联系不上。",
    "investment": "被拉进投资群，老师带单，开始小额盈利，后来大额充值无法提现。",
    "task_rebate": "做点赞刷单兼职，前几单返利，后面要求连单垫付，本金无法取回。",
    "impersonate_acquaintance": "对方冒充我的领导加我微信，让我先帮忙给客户转账。",
    "romance": "网上认识的男友带我在平台投资，充值后平台关闭。",
}


def iso(base: datetime, seconds: int) -> str:
    return (base + timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


def group_profiles(world: World, rng: random.Random) -> tuple[list[list[str]], list[list[str]]]:
    """Each group's fraud types (its specialities) and the domains it bought."""
    types = [rng.sample(SCAM_TYPES, rng.randint(2, 3)) for _ in range(world.config.groups)]
    domains = [scam_domains(rng, rng.randint(3, 8)) for _ in range(world.config.groups)]
    return types, domains


def generate_messages(
    world: World, rng: random.Random, types: list[list[str]], domains: list[list[str]]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    s = world.subs
    writer = MessageWriter(rng)
    base = datetime.combine(world.config.start, datetime.min.time(), tzinfo=UTC)
    # Ordinary texts go between people, and an imitator's phone is a person's phone.
    normals = np.flatnonzero((s.kind == NORMAL) | s.imitates)
    # Imitators work their victims by voice: the group's text blasts go out from the
    # other operators' SIMs (from all of them if every operator imitates).
    senders = (s.kind == FRAUD) & (s.rate > 0)
    fraud_by_group = {}
    for g in range(world.config.groups):
        own = senders & (s.group == g)
        blasting = np.flatnonzero(own & ~s.imitates)
        fraud_by_group[g] = blasting if len(blasting) else np.flatnonzero(own)
    langs, weights = list(LANG_WEIGHTS), list(LANG_WEIGHTS.values())
    rows, truth = [], []
    horizon = world.config.days * 86400
    # Drift: from the second week each group writes to new scripts (other fraud types).
    later = random.Random(world.config.seed + 23)
    late_types = [later.sample(SCAM_TYPES, len(t)) for t in types] if world.config.drift else types
    for i in range(world.config.messages):
        lang = rng.choices(langs, weights)[0]
        if rng.random() < 0.3:
            g = rng.randrange(world.config.groups)
            sims = fraud_by_group[g]
            sender = int(sims[rng.randrange(len(sims))])
            start, end = int(s.active_from[sender]) * 86400, (int(s.active_to[sender]) + 1) * 86400
            t = rng.randrange(start, end)
            path = rng.choice(["", "a/", "m/", "index.html", "r?id="])
            url = f"http://{rng.choice(domains[g])}/{path}"
            if url.endswith("="):
                url += str(rng.randrange(1000, 99999))
            scripts = late_types[g] if t >= WEEK else types[g]
            msg = writer.scam(
                rng.choice(scripts), lang, url, str(s.msisdn[sims[rng.randrange(len(sims))]])
            )
            group = g
        else:
            sender, t = int(normals[rng.randrange(len(normals))]), rng.randrange(horizon)
            msg, group = writer.normal(lang), -1
        recipient = int(normals[rng.randrange(len(normals))])
        if recipient == sender:
            recipient = int(normals[(np.searchsorted(normals, recipient) + 1) % len(normals)])
        rows.append({"message_id": f"M{i + 1:07d}", "sender": str(s.msisdn[sender]),
                     "recipient": str(s.msisdn[recipient]), "sent_at": iso(base, t),
                     "text": msg.text, "channel": "sms"})  # fmt: skip
        truth.append({"message_id": f"M{i + 1:07d}", "label": msg.fraud_type, "lang": msg.lang,
                      "group_id": str(group), "url": msg.url or ""})  # fmt: skip
    return rows, truth


def generate_reports(
    world: World, ledger: Ledger, rng: random.Random, types: list[list[str]],
    domains: list[list[str]],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:  # fmt: skip
    s = world.subs
    base = datetime.combine(world.config.start, datetime.min.time(), tzinfo=UTC)
    rows: list[dict[str, str]] = []
    truth: list[dict[str, str]] = []
    for victim, sim, _src, loss, t0, mule in ledger.victim_losses:
        if rng.random() >= world.config.report_rate:
            continue
        g = int(s.group[sim])
        true_type = types[g][0]
        reported_type = true_type if rng.random() > 0.1 else rng.choice(SCAM_TYPES)
        noisy_loss = loss if rng.random() > 0.2 else (loss * 100 * rng.randint(80, 120) // 10000)
        phone = str(s.msisdn[sim])
        wrong = world.config.report_noise > 0 and rng.random() < world.config.report_noise
        if wrong:  # the victim names another number that called them: one of their contacts
            lo, hi = world.contacts_offsets[victim], world.contacts_offsets[victim + 1]
            phone = str(s.msisdn[world.contacts[rng.randrange(lo, hi)]])
        elif rng.random() < 0.05:  # the victim wrote one digit down wrongly
            k = rng.randrange(6, len(phone))
            phone = phone[:k] + str((int(phone[k]) + 1) % 10) + phone[k + 1 :]
        province = PROVINCES[int(s.province[victim])][0]
        rid = f"R{len(rows) + 1:06d}"
        rows.append({
            "report_id": rid, "filed_at": iso(base, t0 + rng.randint(3600, 5 * 86400)),
            "bureau": f"CN-{province.upper()}", "victim_phone": str(s.msisdn[victim]),
            "fraud_type": reported_type, "loss": f"{noisy_loss:.2f}", "currency": "CNY",
            "scammer_phone": phone, "scammer_account": mule if rng.random() < 0.7 else "",
            "scammer_url": f"http://{rng.choice(domains[g])}/" if rng.random() < 0.4 else "",
            "narrative": NARRATIVE[reported_type].format(city=rng.choice(["北京", "上海", "昆明"])),
        })  # fmt: skip
        truth.append({"report_id": rid, "group_id": str(g), "true_fraud_type": true_type,
                      "true_loss": f"{loss:.2f}", "fraud_sim": str(s.msisdn[sim]),
                      "wrong_number": str(int(wrong))})  # fmt: skip
    return rows, truth
