"""Chinese names and the ways different agencies write them.

A person is generated in 汉字; pinyin comes from pypinyin. Foreign services and
manifests then write the name in Latin letters with the variations seen in
practice: family name last, capitals, tone marks, joined or hyphenated given
names, Wade–Giles spellings, and typing errors.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from pypinyin import Style, lazy_pinyin

from scamnet.core.romanise import wade_giles

# The most common family names (Ming, Bai, Wei, Liu and Xu head Kokang's family gangs).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤明"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉鹏飞宇浩然子轩梓涵一诺欣怡俊杰志强海燕"
    "晓东红梅学昌国良永福德华春生玉兰金凤志刚建军小龙天佑家豪嘉怡思远雨萱博文晨阳成龙振华立新卫东爱民"
)
FAMILY_GANG_SURNAMES = "明白魏刘徐"


def pinyin_parts(han: str, tones: bool = False) -> list[str]:
    style = Style.TONE if tones else Style.NORMAL
    return [p.replace("ü", "u") if not tones else p for p in lazy_pinyin(han, style=style)]


def standard_pinyin(han: str, tones: bool = False) -> str:
    """``明学昌`` → ``Ming Xuechang`` (family name first, given name joined)."""
    parts = pinyin_parts(han, tones)
    return f"{parts[0].capitalize()} {''.join(parts[1:]).capitalize()}"


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    op = rng.randrange(3)
    if op == 0:  # drop a letter
        return text[:i] + text[i + 1 :]
    if op == 1 and text[i + 1].isalpha():  # swap two neighbours
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiounghs") + text[i + 1 :]  # a wrong letter


VARIANTS = ("pinyin", "swapped", "caps", "tones", "joined", "hyphen", "wade_giles", "typo")


def latin_variant(han: str, variant: str, rng: random.Random) -> str:
    """One Latin spelling of a Chinese name, as some agency would write it."""
    parts = pinyin_parts(han)
    family, given = parts[0].capitalize(), [p for p in parts[1:]]
    if variant == "pinyin":
        return standard_pinyin(han)
    if variant == "swapped":
        return f"{''.join(given).capitalize()} {family}"
    if variant == "caps":
        return f"{family} {''.join(given)}".upper()
    if variant == "tones":
        return standard_pinyin(han, tones=True)
    if variant == "joined":
        return family + "".join(given).capitalize()
    if variant == "hyphen":
        return f"{family} {'-'.join(given).capitalize()}"
    if variant == "wade_giles":
        wg = [wade_giles(p) for p in parts]
        text = f"{wg[0].capitalize()} {'-'.join(wg[1:]).capitalize()}"
        if rng.random() < 0.5:  # many documents drop the umlaut and apostrophes
            text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
            text = text.replace("'", "")
        return text
    if variant == "typo":
        return _typo(standard_pinyin(han), rng)
    raise ValueError(f"unknown variant {variant!r}")


def han_name(rng: random.Random, surname: str | None = None) -> str:
    family = surname or rng.choice(SURNAMES)
    n_given = 1 if rng.random() < 0.25 else 2
    return family + "".join(rng.choice(GIVEN) for _ in range(n_given))


# Resident identity numbers: GB 11643-1999, with the ISO 7064 MOD 11-2 check character.
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
REGION_CODES = ["530000", "530102", "533100", "533103", "530900", "110101", "440106", "510104"]


def resident_id(rng: random.Random, born: date, female: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
    body = f"{rng.choice(REGION_CODES)}{born:%Y%m%d}{seq:03d}"
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def passport_number(rng: random.Random) -> str:
    return "E" + "".join(rng.choice("0123456789") for _ in range(8))
