"""Texts that try the message vectorisers: scripts, white space, emoji, case, empty
lines (shared by the n-gram and compiled-scorer equality tests)."""

CORPUS = [
    "关注抖音账号即可领取248元，无需押金，当日结算，联系+8615713773904。",
    "你到了吗？我在门口等你。",
    "URGENT! Your account is suspended, verify at http://paypa1-login.xyz now",
    "Votre colis est bloqué : payez 1,99 € ici",
    "ยินดีด้วย คุณได้รับรางวัล 5000 บาท กดลิงก์",
    "spaced   out\ttext\nwith  breaks\u3000and\xa0emoji 😀😀 snake_case",
    "a",
    "",
    "   ",
    "重复 重复 重复 重复 verify verify your account",
    "ΟΔΟΣ Σίσυφος İstanbul ǅemal ﬁnal",
]
