"""Phrase pools for the message generator, by language and fraud type.

Each message is built from a sequence of slots; each slot picks one of several
phrasings, so one type yields thousands of different messages and a classifier
cannot simply memorise a template. ``{…}`` fields are filled per message.
"""

from __future__ import annotations

Pools = list[list[str]]

SCAM: dict[str, dict[str, Pools]] = {
    "zh": {
        "impersonate_authority": [
            [
                "【{city}公安局】",
                "{city}市公安局反诈中心提醒：",
                "【最高人民检察院】",
                "{city}警方通知：",
                "",
            ],
            [
                "您的身份证涉嫌一起{crime}案件，",
                "您名下银行卡被用于{crime}，",
                "经查您涉嫌参与{crime}，",
                "您的医保卡在{city}被违规使用，",
            ],
            [
                "请于{hours}小时内联系{officer}警官{phone}配合调查，",
                "请立即拨打{phone}核实，",
                "需将资金转入安全账户{account}进行核查，",
                "请登录{url}查看通缉令并配合清查，",
            ],
            [
                "逾期将冻结您名下所有账户。",
                "否则将依法对您采取强制措施。",
                "此事保密，不得告知家人。",
                "不配合将承担法律责任。",
            ],
        ],
        "customer_service": [
            [
                "【{shop}客服】",
                "亲，我是{shop}售后，",
                "【{shop}】尊敬的用户：",
                "您好，这里是{shop}理赔中心，",
            ],
            [
                "您购买的商品存在质量问题，",
                "您的快递在运输中丢失，",
                "您误开通了会员服务，每月将扣费{amount}元，",
                "您的订单异常需要退款，",
            ],
            [
                "我们将为您办理{amount}元赔付，",
                "可退还三倍货款，",
                "为避免继续扣费需取消授权，",
                "请协助我们完成退款流程，",
            ],
            [
                "请点击{url}填写退款信息。",
                "请加客服微信{wechat}处理。",
                "请下载会议软件并共享屏幕，按提示操作。",
                "请提供银行卡号和验证码。",
            ],
        ],
        "loan_credit": [
            ["【{bank}】", "{bank}普惠贷款：", "急用钱？", "恭喜您获得{bank}预授信额度，"],
            [
                "无抵押无担保，最高可贷{amount}万元，",
                "黑户白户都能贷，当天放款，",
                "您的信用卡可提额至{amount}万，",
                "低息贷款{amount}万元已为您审批，",
            ],
            [
                "只需先缴纳{fee}元解冻费/保证金，",
                "需先刷流水证明还款能力，",
                "填写资料即可到账，",
                "征信不好也能办理，",
            ],
            ["详询{phone}。", "点击{url}立即申请。", "加QQ{qq}办理。", "回复1立即领取。"],
        ],
        "investment": [
            [
                "【内部消息】",
                "老师带你炒股，",
                "区块链新项目，",
                "境外博彩平台漏洞，",
                "数字货币{coin}即将暴涨，",
            ],
            [
                "日收益{pct}%，稳赚不赔，",
                "保本保息，一个月回本，",
                "已有{people}人实现财务自由，",
                "跟单导师，胜率{pct}%，",
            ],
            [
                "首充{amount}元送{fee}元，",
                "名额有限，仅限今日，",
                "注册即送体验金，",
                "导师一对一指导，",
            ],
            ["下载APP：{url}", "加群：{wechat}", "开户链接{url}", "联系助理{phone}"],
        ],
        "task_rebate": [
            ["招聘兼职：", "在家轻松赚钱！", "【兼职】", "宝妈学生党看过来，"],
            [
                "给视频点赞{fee}元一单，",
                "刷单返利，每单佣金{pct}%，",
                "关注抖音账号即可领取{fee}元，",
                "做任务日赚{amount}元，",
            ],
            [
                "先垫付后返还本金和佣金，",
                "完成三单连单任务即可提现，",
                "每天只需一部手机，",
                "无需押金，当日结算，",
            ],
            [
                "加微信{wechat}领取任务。",
                "下载{url}注册。",
                "联系{phone}。",
                "进群领取首单奖励：{url}",
            ],
        ],
        "impersonate_acquaintance": [
            [
                "我是{boss}，",
                "小{surname}，我是你{relation}，",
                "我是你领导，",
                "你好，我换新号了，我是{boss}，",
            ],
            [
                "明天到我办公室来一趟，",
                "我在外地开会不方便接电话，",
                "我手机丢了用朋友的号，",
                "有急事需要你帮忙，",
            ],
            [
                "先帮我转{amount}元给一个客户，",
                "帮我给这个账户{account}打{amount}元，",
                "借我{amount}元应急，明天还你，",
                "帮我交一下保证金{amount}元，",
            ],
            ["别告诉别人。", "转好截图给我。", "加我新微信{wechat}。", "办好回个消息。"],
        ],
        "romance": [
            ["亲爱的，", "宝贝，", "认识你真开心，", "我在{country}工作，"],
            [
                "我发现一个投资平台很稳定，",
                "我叔叔在{coin}交易所内部，",
                "我想和你一起规划未来，",
                "我们见面前一起赚点钱吧，",
            ],
            [
                "你先充{amount}试试，",
                "带你一起赚钱，",
                "我已经赚了{amount}元，",
                "注册我推荐的平台，",
            ],
            ["链接{url}", "加我{wechat}细聊", "相信我好吗", "这是我们的秘密"],
        ],
    },
    "en": {
        "impersonate_authority": [
            ["[{city} Police] ", "NOTICE from {city} Police: ", "Federal Investigation Unit: ", ""],
            [
                "your ID is linked to a {crime_en} case. ",
                "a warrant has been issued in your name. ",
                "your bank account is under investigation for {crime_en}. ",
            ],
            [
                "Call officer {officer_en} at {phone} within {hours} hours ",
                "Verify your identity at {url} ",
                "Move your funds to the safe account {account} ",
            ],
            [
                "or your assets will be frozen.",
                "to avoid arrest.",
                "Do not tell anyone about this case.",
            ],
        ],
        "customer_service": [
            ["{shop_en} support: ", "Dear customer, ", "[{shop_en}] "],
            [
                "your parcel could not be delivered. ",
                "you were charged {amount} for a subscription. ",
                "a refund of {amount} is waiting for you. ",
            ],
            ["Confirm your details at {url} ", "Reply with the code we sent ", "Call {phone} "],
            [
                "to receive your refund.",
                "within 24h or the order is cancelled.",
                "to cancel the payment.",
            ],
        ],
        "loan_credit": [
            ["Need cash fast? ", "PRE-APPROVED: ", "{bank_en}: "],
            [
                "loans up to {amount} with no credit check. ",
                "get {amount} in your account today. ",
                "your credit limit can be raised to {amount}. ",
            ],
            ["Just pay a small {fee} processing fee. ", "Bad credit OK. ", "Instant approval. "],
            ["Apply at {url}", "Call {phone}", "Reply YES now"],
        ],
        "investment": [
            ["Crypto signal: ", "Insider tip: ", "Our mentor's group "],
            [
                "{coin} will rise {pct}% this week. ",
                "earn {pct}% daily, guaranteed. ",
                "turned {fee} into {amount} in a month. ",
            ],
            ["Limited seats. ", "Deposit now and get a bonus. "],
            ["Join: {url}", "WhatsApp {phone}"],
        ],
        "task_rebate": [
            ["Part-time job: ", "Work from home! ", "Hi, I'm a recruiter. "],
            [
                "earn {fee} per like on videos, ",
                "rate products and earn {amount} a day, ",
                "simple online tasks paid daily, ",
            ],
            ["commission after each task set. ", "no experience needed. "],
            ["Contact {phone}", "Register at {url}"],
        ],
        "impersonate_acquaintance": [
            ["Hi Mum, it's me, ", "Hello, this is your boss {boss_en}, ", "Hey, new number, "],
            ["I broke my phone. ", "I'm in a meeting and can't talk. "],
            [
                "Can you send {amount} to {account}? ",
                "I need you to buy gift cards worth {amount}. ",
            ],
            ["I'll pay you back tomorrow.", "Text me when done."],
        ],
        "romance": [
            ["My dear, ", "Honey, ", "I am an engineer working in {country_en}. "],
            [
                "I found a trading platform that never loses. ",
                "I want us to build our future together. ",
            ],
            ["Start with {amount} at {url} ", "Let me show you how I made {amount}. "],
            ["Trust me.", "It is our secret."],
        ],
    },
    "fr": {
        "impersonate_authority": [
            ["[Gendarmerie nationale] ", "Police de {city_fr} : ", "Avis officiel : "],
            [
                "votre identité est liée à une affaire de {crime_fr}. ",
                "un mandat a été émis à votre nom. ",
                "votre compte bancaire fait l'objet d'une enquête. ",
            ],
            [
                "Contactez l'officier {officer_en} au {phone} sous {hours} h ",
                "Vérifiez votre identité sur {url} ",
                "Transférez vos fonds vers le compte sécurisé {account} ",
            ],
            [
                "sinon vos avoirs seront gelés.",
                "pour éviter des poursuites.",
                "Ne parlez de cette affaire à personne.",
            ],
        ],
        "customer_service": [
            ["Colissimo : ", "Service client {shop_en} : ", "Ameli : "],
            [
                "votre colis est en attente, ",
                "un remboursement de {amount} € vous attend, ",
                "votre carte Vitale expire, ",
            ],
            [
                "réglez {fee} € de frais sur {url}",
                "confirmez vos informations sur {url}",
                "appelez le {phone}",
            ],
            [".", " avant ce soir.", " sous 24h."],
        ],
        "loan_credit": [
            ["Crédit rapide : ", "Offre exclusive : ", "Prêt accordé : "],
            [
                "jusqu'à {amount} € sans justificatif, ",
                "{amount} € versés sous 24h, ",
                "même fiché à la Banque de France, ",
            ],
            ["frais de dossier {fee} € seulement. ", "réponse immédiate. "],
            ["Demande sur {url}", "Appelez le {phone}"],
        ],
        "investment": [
            ["Placement garanti : ", "Conseil d'initié : ", "Notre expert crypto "],
            [
                "{pct} % de rendement par mois, ",
                "le {coin} va exploser, ",
                "doublez votre capital, ",
            ],
            ["places limitées. ", "sans aucun risque. "],
            ["Inscrivez-vous : {url}", "WhatsApp {phone}"],
        ],
        "task_rebate": [
            ["Emploi à domicile : ", "Mission rémunérée : ", "Bonjour, recrutement en ligne, "],
            [
                "likez des vidéos et gagnez {fee} € par tâche, ",
                "notez des produits et gagnez {amount} € par jour, ",
            ],
            ["commission versée après chaque série. ", "sans expérience. "],
            ["Contact : {phone}", "Inscription : {url}"],
        ],
        "impersonate_acquaintance": [
            ["Coucou maman, c'est moi, ", "Bonjour, c'est votre directeur {boss_en}, "],
            [
                "j'ai cassé mon téléphone, c'est mon nouveau numéro. ",
                "je suis en réunion, je ne peux pas appeler. ",
            ],
            [
                "Peux-tu virer {amount} € sur {account} ? ",
                "J'ai besoin de {amount} € en cartes cadeaux. ",
            ],
            ["Je te rembourse demain.", "Préviens-moi quand c'est fait."],
        ],
        "romance": [
            ["Mon amour, ", "Ma chérie, ", "Je suis ingénieur en {country_en}. "],
            [
                "j'ai trouvé une plateforme qui ne perd jamais. ",
                "je veux construire notre avenir. ",
            ],
            ["Commence avec {amount} € sur {url} ", "Je te montre comment j'ai gagné {amount} €. "],
            ["Fais-moi confiance.", "C'est notre secret."],
        ],
    },
}

NORMAL: dict[str, Pools] = {
    "zh": [
        [
            "【{bank}】您尾号{last4}的账户{time}消费{amount}元，余额{balance}元。",
            "【{shop}】您的验证码是{code}，5分钟内有效，请勿泄露。",
            "【{courier}】您的快递已到{place}，取件码{code}。",
            "妈，我今晚加班，晚点回来吃饭。",
            "明天几点开会？",
            "好的，收到，谢谢！",
            "【{city}反诈中心】提醒：公检法不会电话办案，不会要求转账到安全账户。",
            "【{bank}】您的信用卡本期账单{amount}元，还款日{date}。",
            "周末一起吃饭吗？老地方见。",
            "【12306】您已购{date}车票，请按时乘车。",
            "【{shop}】双十一预售开启，点击{shop_url}查看。",
            "你到了吗？我在门口等你。",
            "【{bank}】您已成功转账{amount}元至{name}，如非本人操作请致电官方客服95588。",
            "孩子的作业我已经检查过了。",
            "【国家税务总局】个人所得税汇算清缴开始，请通过官方APP办理。",
        ],
    ],
    "en": [
        [
            "Your {shop_en} verification code is {code}.",
            "Are we still on for dinner tonight?",
            "Running late, be there in 10.",
            "{bank_en}: a payment of {amount} was made with card ending {last4}.",
            "Your parcel from {shop_en} was delivered.",
            "Happy birthday! Have a great day.",
            "Reminder: your appointment is tomorrow at {hours}:00.",
            "Thanks, got it!",
            "Can you pick up milk on the way home?",
            "{shop_en}: your order has shipped. Track it at {shop_url}",
        ],
    ],
    "fr": [
        [
            "Votre code de vérification est {code}.",
            "On se retrouve à quelle heure ?",
            "Je suis en retard, j'arrive dans 10 minutes.",
            "Merci, bien reçu !",
            "Votre colis a été livré.",
            "Bon anniversaire ! Gros bisous.",
            "Rappel : rendez-vous demain à {hours}h.",
            "Tu peux acheter du pain en rentrant ?",
        ],
    ],
}

FILL: dict[str, list[str]] = {
    "city": ["北京", "上海", "广州", "深圳", "成都", "昆明", "重庆", "武汉", "西安", "杭州"],
    "city_fr": ["Paris", "Lyon", "Marseille", "Toulouse", "Lille"],
    "crime": ["洗钱", "非法集资", "电信诈骗", "贩毒", "跨境赌博"],
    "crime_en": ["money laundering", "fraud", "drug trafficking", "illegal gambling"],
    "crime_fr": ["blanchiment", "fraude", "trafic de stupéfiants"],
    "officer": ["王", "李", "张", "刘", "陈"],
    "officer_en": ["Smith", "Martin", "Wang", "Durand", "Brown"],
    "shop": ["淘宝", "京东", "拼多多", "抖音商城", "美团"],
    "shop_en": ["Amazon", "eBay", "DHL", "Netflix", "PayPal"],
    "bank": ["工商银行", "建设银行", "农业银行", "招商银行", "中国银行", "平安银行"],
    "bank_en": ["HSBC", "Barclays", "Chase", "BNP Paribas", "Wells Fargo"],
    "courier": ["顺丰速运", "中通快递", "圆通速递", "菜鸟驿站"],
    "coin": ["USDT", "比特币", "以太坊", "BTC", "ETH"],
    "relation": ["表哥", "舅舅", "老同学", "大学室友"],
    "boss": ["王总", "李总", "张局", "刘主任", "陈董"],
    "boss_en": ["Mr Lee", "Mrs Taylor", "David", "Mr Chen"],
    "surname": ["王", "李", "张", "刘", "陈", "杨"],
    "country": ["新加坡", "迪拜", "英国", "马来西亚"],
    "country_en": ["Singapore", "Dubai", "Canada", "Malaysia"],
    "place": ["小区门口驿站", "3号楼快递柜", "学校菜鸟驿站"],
    "name": ["张*", "李*明", "王*华"],
    "shop_url": ["https://m.tb.cn/h.5", "https://www.jd.com/", "https://www.amazon.com/orders"],
}
