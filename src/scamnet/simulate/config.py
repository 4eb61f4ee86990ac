"""The simulator's knobs and its presets."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Every knob of the generative model (docs/simulator.md explains each).

    Attributes:
        seed: the world is a pure function of the config, seed included.
        subscribers: normal domestic subscribers (victims are drawn from them).
        days: length of the observed period.
        groups: criminal groups, each with one compound or two.
        workers_per_group: median size of a group's workforce (log-normal spread).
        hard_negative_share: couriers, telemarketers and call centres among subscribers.
        calls_per_day: mean calls a normal subscriber makes per day.
        messages: number of messages (SMS) written.
        messy_rate: share of observable rows that are corrupted on purpose.
        report_rate: share of defrauded victims who file a report.
        key_figure_share, fugitive_share: calibration of the handed-over population
            to the reference case (63 / 31,000 key figures, 1,531 / 31,000 fugitives).
        chunk_rows: calls are generated and written in chunks of about this size.
        call_format: ``csv`` or ``parquet`` for the call records.
        cloned_handsets: share of the compounds' handsets whose IMEI is also reported
            by an ordinary subscriber's phone (cheap handsets ship with copied IMEIs).
        resold_handsets: share of the compounds' handsets whose SIMs all stop in the
            first half of the period and that are then sold on to an ordinary subscriber.
        relay_share: share of operators' SIMs in relay boxes (GoIP) inside China.
        imitation: share of operators who imitate ordinary calling: one domestic SIM in
            one handset all period, fewer calls, most of them to a circle of contacts who
            call back, with people's hours and call lengths.
        report_noise: share of victims' reports that name an ordinary subscriber (one of
            the victim's own contacts) as the scammer's number.
        ordinary_strangers: share of an ordinary person's calls that go to numbers outside
            their contacts (shops, services, new acquaintances), mostly in their province.
        drift: from the second week, new SIMs come from other number ranges and the
            groups write to new scripts (other fraud types).
    """

    seed: int = 7
    subscribers: int = 20_000
    days: int = 14
    groups: int = 6
    workers_per_group: int = 300
    hard_negative_share: float = 0.04
    calls_per_day: float = 3.0
    messages: int = 20_000
    messy_rate: float = 0.01
    report_rate: float = 0.35
    key_figure_share: float = 63 / 31_000
    fugitive_share: float = 1_531 / 31_000
    start: date = date(2023, 10, 1)
    chunk_rows: int = 1_000_000
    call_format: str = "csv"
    cloned_handsets: float = 0.02
    resold_handsets: float = 0.05
    relay_share: float = 0.25
    imitation: float = 0.0
    report_noise: float = 0.0
    ordinary_strangers: float = 0.0
    drift: bool = False

    def with_overrides(self, **changes: Any) -> SimConfig:
        """A copy with the given knobs changed (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def __post_init__(self) -> None:
        if self.subscribers < 200:
            raise ValueError("at least 200 subscribers are needed for a world")
        if self.days < 2 or self.groups < 1 or self.workers_per_group < 10:
            raise ValueError("need at least 2 days, 1 group and 10 workers per group")
        if not 0 <= self.messy_rate < 0.5 or not 0 <= self.report_rate <= 1:
            raise ValueError("rates must lie in [0, 0.5) and [0, 1]")
        shares = (self.cloned_handsets, self.resold_handsets, self.relay_share,
                  self.imitation, self.report_noise, self.ordinary_strangers)  # fmt: skip
        if not all(0 <= x <= 1 for x in shares):
            raise ValueError(
                "handset, relay, imitation, report-noise and stranger shares lie in [0, 1]"
            )
        if self.call_format not in ("csv", "parquet"):
            raise ValueError("call_format is csv or parquet")


PRESETS: dict[str, SimConfig] = {
    "tiny": SimConfig(subscribers=1_500, days=7, groups=2, workers_per_group=40, messages=2_000),
    "demo": SimConfig(),
    # Detectors do not saturate here: operators imitate ordinary calling, most sit in
    # relay boxes, businesses that call like fraud are common, victims name wrong
    # numbers, and the second week brings new number ranges and new scripts.
    "hard": SimConfig(
        hard_negative_share=0.08,
        relay_share=0.6,
        imitation=0.6,
        report_noise=0.1,
        ordinary_strangers=0.1,
        cloned_handsets=0.05,
        resold_handsets=0.15,
        drift=True,
    ),
    # 20 M+ call records: streamed in chunks, so memory stays flat whatever the size.
    "bench": SimConfig(
        subscribers=400_000,
        days=14,
        groups=12,
        workers_per_group=600,
        calls_per_day=3.0,
        messages=50_000,
        messy_rate=0.001,
    ),
}
