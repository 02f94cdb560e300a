"""Plausible legal text for the documents of a synthetic case file.

Each writer takes the case, the document's date and the RNG and returns body
paragraphs.  The wording follows the usual structure of 起诉状, 通知书, 笔录 and
裁判文书; facts are drawn from :mod:`samples.context` so they agree with the metadata.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from samples.context import CaseContext

Writer = Callable[[CaseContext, date, random.Random], list[str]]

_LAW: dict[str, str] = {
    "民间借贷纠纷": "《中华人民共和国民法典》第六百六十七条、第六百七十五条、第六百七十六条",
    "离婚纠纷": "《中华人民共和国民法典》第一千零七十九条、第一千零八十四条、第一千零八十七条",
    "劳动争议": "《中华人民共和国劳动合同法》第三十条、第四十六条、第四十七条",
    "物业服务合同纠纷": "《中华人民共和国民法典》第九百三十七条、第九百四十四条",
    "机动车交通事故责任纠纷": "《中华人民共和国民法典》第一千一百七十九条、第一千二百零八条，《中华人民共和国道路交通安全法》第七十六条",
    "房屋租赁合同纠纷": "《中华人民共和国民法典》第七百零三条、第七百二十一条、第七百二十二条",
    "买卖合同纠纷": "《中华人民共和国民法典》第五百九十五条、第六百二十六条、第五百七十九条",
    "金融借款合同纠纷": "《中华人民共和国民法典》第六百六十七条、第六百七十四条、第六百七十六条",
    "服务合同纠纷": "《中华人民共和国民法典》第五百零九条、第五百七十七条",
    "承揽合同纠纷": "《中华人民共和国民法典》第七百七十条、第七百八十二条",
}
_FACTS: dict[str, str] = {
    "民间借贷纠纷": "{d}，被告因资金周转需要向原告借款{a}，并出具借条一份，约定于{d2}前归还。原告通过银行转账方式交付了全部借款。借款到期后，经原告多次催要，被告至今未予归还。",
    "离婚纠纷": "原、被告于{y}年经人介绍相识，同年登记结婚。婚后双方因家庭琐事经常发生争吵，自{d}起分居至今，夫妻感情确已破裂，已无和好可能。",
    "劳动争议": "原告于{y}年入职被告处，从事销售工作，双方签订了劳动合同。{d}起被告未足额支付原告工资，共计拖欠{a}，原告据此解除劳动合同并申请劳动仲裁，对仲裁裁决不服，诉至本院。",
    "物业服务合同纠纷": "原告系被告所居住小区的物业服务企业，依约提供了物业服务。被告自{d}起未交纳物业服务费，截至起诉之日共欠费{a}，经原告多次书面催缴仍未交纳。",
    "机动车交通事故责任纠纷": "{d}，被告驾驶小型轿车与原告驾驶的电动自行车相撞，致原告受伤、车辆损坏。经公安机关交通管理部门认定，被告负事故全部责任。原告因此产生医疗费、误工费等各项损失共计{a}。",
    "房屋租赁合同纠纷": "{d}，原、被告签订房屋租赁合同，约定被告承租原告名下房屋，租期两年，按季度支付租金。被告自{d2}起未支付租金，累计拖欠{a}。",
    "买卖合同纠纷": "{d}，原、被告签订购销合同，约定原告向被告供应货物，被告于收货后三十日内付款。原告依约交付了全部货物，被告经对账确认尚欠货款{a}，至今未付。",
    "金融借款合同纠纷": "{d}，原告与被告签订借款合同，约定原告向被告发放贷款{a}，按月等额还款。合同履行过程中，被告自{d2}起未按约还款，已构成违约，原告依约宣布贷款提前到期。",
    "服务合同纠纷": "{d}，原、被告签订技术服务合同，约定原告为被告提供信息系统运维服务，服务费共计{a}。原告已依约完成全部服务并经被告验收，被告未支付服务费。",
    "承揽合同纠纷": "{d}，原、被告签订加工承揽合同，约定原告为被告加工定制设备一批，价款{a}。原告按期交付了定作物，被告验收后未支付价款。",
}


_EVIDENCE: dict[str, tuple[str, ...]] = {
    "离婚纠纷": ("结婚证", "户口簿", "证人证言", "分居期间的租房合同", "微信聊天记录"),
    "劳动争议": ("劳动合同", "工资发放明细", "考勤记录", "解除劳动合同通知书", "劳动人事争议仲裁委员会裁决书"),
    "机动车交通事故责任纠纷": ("道路交通事故认定书", "医疗费票据", "住院病历", "误工证明", "车辆维修发票"),
    "物业服务合同纠纷": ("前期物业服务合同", "物业服务费收费标准备案表", "催缴通知及邮寄凭证", "业主名册"),
}
_CONTRACT_EVIDENCE = ("合同原件", "银行转账凭证", "对账单", "催款函及快递单", "微信聊天记录", "发票", "送货单")


def evidence(ctx: CaseContext, rng: random.Random) -> list[str]:
    """原告提交的证据 with the respondent's 质证意见: the bulk of real judgments."""
    pool = _EVIDENCE.get(ctx.cause, _CONTRACT_EVIDENCE)
    items = rng.sample(pool, rng.randint(3, len(pool)))
    lines = [f"{ctx.claimant.role}为证明其主张，向本院提交了如下证据："]
    lines += [f"证据{n}．{item}，证明{rng.choice(('双方之间的法律关系', '履行情况', '损失数额', '催告事实'))}。"
              for n, item in enumerate(items, start=1)]
    lines.append(f"{ctx.respondent.role}{ctx.respondent.name}质证称，对证据的真实性无异议，"
                 f"对{'、'.join(f'证据{n}' for n in range(2, len(items) + 1))}的证明目的有异议。")
    lines.append("本院对上述证据认证如下：当事人无异议的证据，本院予以确认并在卷佐证；"
                 "对有异议的证据，本院结合其他证据综合予以认定。")
    return lines


def cn_date(day: date) -> str:
    """Date as written in court documents: 2024年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def money(amount: int) -> str:
    return f"人民币{amount}元"


def _facts(ctx: CaseContext, rng: random.Random) -> str:
    earlier = ctx.filing_date - timedelta(days=rng.randint(200, 900))
    later = earlier + timedelta(days=rng.randint(60, 180))
    return _FACTS[ctx.cause].format(d=cn_date(earlier), d2=cn_date(later),
                                    a=money(ctx.amount), y=earlier.year - rng.randint(1, 8))


def _claims(ctx: CaseContext) -> str:
    if ctx.cause == "离婚纠纷":
        items = ["判令原告与被告离婚", "婚生子由原告抚养，被告每月支付抚养费"]
    else:
        items = [f"判令被告向原告支付{money(ctx.amount)}及逾期付款利息（自起诉之日起按"
                 "一年期贷款市场报价利率计算至实际给付之日止）"]
    items.append("本案诉讼费用由被告负担")
    return "；".join(f"{'一二三'[i]}、{item}" for i, item in enumerate(items)) + "。"


def _party_lines(ctx: CaseContext) -> list[str]:
    return [f"{p.role}：{p.name}。" for p in ctx.parties]


def complaint(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """起诉状 / 强制执行申请书."""
    if ctx.is_execution:
        return [*_party_lines(ctx), "申请事项：",
                f"请求依法强制执行{ctx.related_case_numbers[0]}民事判决书确定的给付义务，即被执行人向申请执行人支付{money(ctx.amount)}及迟延履行期间的债务利息。",
                "事实与理由：", f"申请执行人与被执行人{ctx.cause}一案，业经{ctx.court.name}作出判决并已发生法律效力。被执行人未在判决确定的期限内履行义务，特依法申请强制执行。",
                f"此致\n{ctx.court.name}", f"申请人：{ctx.claimant.name}\n{cn_date(day)}"]
    return [*_party_lines(ctx), "诉讼请求：", _claims(ctx), "事实与理由：", _facts(ctx, rng),
            f"为维护原告的合法权益，依据{_LAW[ctx.cause]}及《中华人民共和国民事诉讼法》的有关规定，特向贵院提起诉讼，请依法判决。",
            f"此致\n{ctx.court.name}", f"具状人：{ctx.claimant.name}\n{cn_date(day)}"]


def acceptance_notice(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """受理案件通知书."""
    fee = max(50, ctx.amount // 100)
    return [f"{ctx.claimant.name}：",
            f"你（单位）与{ctx.respondent.name}{ctx.cause}一案的{'申请' if ctx.is_execution else '起诉状'}已收到。经审查，符合法定受理条件，本院决定立案{'执行' if ctx.is_execution else '审理'}。",
            "现将有关事项通知如下：",
            f"一、{'申请执行费' if ctx.is_execution else '案件受理费'}{money(fee)}，应在接到本通知后七日内预交；期满未交又未申请缓交的，按{'自动撤回申请' if ctx.is_execution else '撤诉'}处理。",
            f"二、本案由{ctx.department}承办，承办人{ctx.judge}，联系电话见诉讼服务平台。",
            "三、当事人在诉讼中应当遵守诉讼秩序，如实陈述，依法行使诉讼权利。",
            cn_date(day)]


def evidence_notice(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """举证通知书 (民事诉讼法第六十七条)."""
    period = rng.choice((15, 15, 30))
    return [f"{ctx.claimant.name}、{ctx.respondent.name}：",
            f"本院受理的{ctx.cause}一案，根据《中华人民共和国民事诉讼法》第六十七条及《最高人民法院关于民事诉讼证据的若干规定》的规定，现将有关举证事项通知如下：",
            "一、当事人对自己提出的主张，有责任提供证据。没有证据或者证据不足以证明当事人的事实主张的，由负有举证证明责任的当事人承担不利的后果。",
            "二、向人民法院提供证据，应当提供原件或者原物。如需自己保存证据原件、原物或者提供原件、原物确有困难的，可以提供经人民法院核对无异的复制件或者复制品。",
            f"三、本案举证期限为{period}日，自收到本通知书的次日起计算。逾期提供证据的，人民法院将依法处理。",
            "四、当事人因客观原因不能自行收集的证据，可以在举证期限届满前书面申请人民法院调查收集。",
            cn_date(day)]


def summons(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """传票 / 应诉通知书."""
    hearing = day + timedelta(days=rng.randint(7, 20))
    return [f"被传唤人：{ctx.respondent.name}",
            f"案由：{ctx.cause}", f"应到时间：{cn_date(hearing)}{rng.choice((9, 10, 14))}时{rng.choice(('00', '30'))}分",
            f"应到处所：本院第{rng.randint(1, 24)}法庭",
            "注意事项：一、被传唤人必须准时到达应到处所。二、本票由被传唤人亲自签收。三、被告经传票传唤，无正当理由拒不到庭的，可以缺席判决。",
            f"审判员：{ctx.judge}    书记员：{ctx.clerk}", cn_date(day)]


_HEARING_QA = (
    ("审判员", "现在核对当事人身份。原告，你的身份信息与起诉状所列是否一致？"),
    ("原告", "一致。"),
    ("审判员", "被告对原告的出庭人员有无异议？"),
    ("被告", "没有异议。"),
    ("审判员", "当事人对合议庭组成人员及书记员是否申请回避？"),
    ("原告", "不申请回避。"),
    ("被告", "不申请回避。"),
    ("审判员", "下面进行法庭调查。原告陈述诉讼请求及事实和理由。"),
    ("审判员", "被告进行答辩。"),
    ("被告", "对原告主张的部分事实有异议，具体金额需要核对，请求法庭依法处理。"),
    ("审判员", "原告出示证据。"),
    ("原告", "证据一，合同原件一份，证明双方之间的法律关系；证据二，转账凭证及对账单，证明履行情况。"),
    ("审判员", "被告对原告提交的证据发表质证意见。"),
    ("被告", "对证据的真实性无异议，对证明目的有异议。"),
    ("审判员", "被告是否有证据提交？"),
    ("被告", "庭后补充提交。"),
    ("审判员", "本案的争议焦点为欠付金额的确定以及违约责任的承担。双方对争议焦点有无补充？"),
    ("原告", "没有补充。"),
    ("审判员", "下面进行法庭辩论。"),
    ("原告", "坚持诉讼请求，被告的抗辩没有事实依据，请求法院依法支持原告的诉讼请求。"),
    ("被告", "坚持答辩意见，请求法院依法驳回原告超出部分的诉讼请求。"),
    ("审判员", "双方是否同意调解？"),
    ("原告", "同意在法庭主持下调解。"),
    ("被告", "同意调解，但金额需要再商量。"),
    ("审判员", "双方作最后陈述。"),
)


def hearing_record(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """庭审笔录: header plus a question-and-answer transcript of varying length."""
    rounds = rng.randint(12, len(_HEARING_QA))
    head = [f"时间：{cn_date(day)}{rng.choice((9, 14))}时{rng.choice(('00', '30'))}分",
            f"地点：本院第{rng.randint(1, 24)}法庭", f"案由：{ctx.cause}",
            f"审判人员：{'、'.join(ctx.panel) if ctx.panel else ctx.judge}", f"书记员：{ctx.clerk}",
            f"原告：{ctx.claimant.name}", f"被告：{ctx.respondent.name}",
            "书记员：宣布法庭纪律。"]
    body = [f"{who}：{what}" for who, what in _HEARING_QA[:rounds]]
    repeats = rng.randint(0, 5)  # long hearings revisit the evidence
    body += [f"{who}：{what}" for who, what in _HEARING_QA[7:16]] * repeats
    return [*head, *body, "以上笔录经当事人阅看无误，签字确认。", "（庭审结束）"]


def _reasoning(ctx: CaseContext) -> str:
    if ctx.cause == "离婚纠纷":
        return "本院认为，夫妻感情确已破裂，调解无效的，应当准予离婚。原、被告婚后长期分居，感情确已破裂，原告的离婚请求本院予以支持。"
    return (f"本院认为，当事人应当按照约定全面履行自己的义务。原、被告之间的{ctx.cause.removesuffix('纠纷')}关系"
            "合法有效，原告已履行了合同义务，被告未按约履行给付义务，应承担相应的违约责任。原告的诉讼请求，事实清楚，证据充分，本院予以支持。")


def _intro(ctx: CaseContext, concluded: bool = True) -> str:
    hearing = "不公开" if ctx.cause == "离婚纠纷" else "公开"  # 民事诉讼法: 离婚案件可以不公开审理
    return (f"原告{ctx.claimant.name}与被告{ctx.respondent.name}{ctx.cause}一案，本院于"
            f"{cn_date(ctx.filing_date)}立案后，依法适用{ctx.trial_mode}，{hearing}开庭进行了审理。"
            + ("本案现已审理终结。" if concluded else ""))


def _withdrawal_ruling(ctx: CaseContext, day: date) -> list[str]:
    return [*_party_lines(ctx), _intro(ctx, concluded=False),
            f"原告{ctx.claimant.name}于{cn_date(day)}向本院提出撤诉申请。本院认为，原告的撤诉申请"
            "系其真实意思表示，不违反法律规定，应予准许。",
            "依照《中华人民共和国民事诉讼法》第一百四十八条第一款规定，裁定如下：",
            f"准许原告{ctx.claimant.name}撤诉。", "案件受理费减半收取，由原告负担。", *_signatures(ctx, day)]


def _mediation(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    agreed = money(ctx.amount * rng.randint(6, 9) // 10)
    first = (f"一、被告于{cn_date(day + timedelta(days=30))}前向原告支付{agreed}；" if ctx.amount
             else "一、原告与被告自愿离婚；")
    return [*_party_lines(ctx), _intro(ctx), "本案在审理过程中，经本院主持调解，双方当事人自愿达成如下协议：",
            first, "二、双方就本案再无其他争议。", "上述协议，不违反法律规定，本院予以确认。",
            "本调解书经双方当事人签收后，即具有法律效力。", *_signatures(ctx, day)]


def _verdict(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    order = (f"被告{ctx.respondent.name}于本判决生效之日起十日内向原告{ctx.claimant.name}支付{money(ctx.amount)}。"
             if ctx.amount else f"准予原告{ctx.claimant.name}与被告{ctx.respondent.name}离婚。")
    return [*_party_lines(ctx), _intro(ctx), f"原告{ctx.claimant.name}向本院提出诉讼请求：{_claims(ctx)}",
            "事实和理由：" + _facts(ctx, rng),
            f"被告{ctx.respondent.name}辩称，对原告主张的事实有异议，请求依法处理。",
            *evidence(ctx, rng), "本院经审理认定事实如下：" + _facts(ctx, rng), _reasoning(ctx),
            f"依照{_LAW[ctx.cause]}，《中华人民共和国民事诉讼法》第六十七条之规定，判决如下：", order,
            "如果未按本判决指定的期间履行给付金钱义务，应当依照《中华人民共和国民事诉讼法》"
            "第二百六十四条之规定，加倍支付迟延履行期间的债务利息。",
            "如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状，并按对方当事人的人数提出副本，"
            "上诉于中级人民法院。", *_signatures(ctx, day)]


def judgment(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """民事判决书 / 民事调解书 / 民事裁定书 (准予撤诉), by the case's result."""
    if ctx.result == "准予撤诉":
        return _withdrawal_ruling(ctx, day)
    if ctx.result == "调解":
        return _mediation(ctx, day, rng)
    return _verdict(ctx, day, rng)


def _signatures(ctx: CaseContext, day: date) -> list[str]:
    if ctx.panel:
        judges = [f"审判长  {ctx.panel[0]}", *(f"审判员  {n}" for n in ctx.panel[1:])]
    else:
        judges = [f"审判员  {ctx.judge}"]
    return [*judges, cn_date(day), f"书记员  {ctx.clerk}"]


def trial_report(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """审理报告 / 执行案件结案审查报告 (副卷: not open to users)."""
    sections = ["一、当事人基本情况", *_party_lines(ctx),
                "二、案件由来和审理经过", f"本案于{cn_date(ctx.filing_date)}立案，由{ctx.department}{ctx.judge}承办，适用{ctx.trial_mode}。",
                "三、当事人诉辩意见及证据", _facts(ctx, rng), *evidence(ctx, rng),
                "四、经审理查明的事实", _facts(ctx, rng),
                "五、争议焦点及分析", _reasoning(ctx),
                "六、处理意见", f"拟以{ctx.result}方式结案。", f"承办人：{ctx.judge}", cn_date(day)]
    return sections


def deliberation(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """合议庭评议笔录 (副卷)."""
    head = [f"时间：{cn_date(day)}", "地点：本院合议室", f"合议庭成员：{'、'.join(ctx.panel)}",
            f"记录人：{ctx.clerk}", f"评议案件：{ctx.case_number}{ctx.cause}一案"]
    votes = [f"{name}：同意承办人意见，{ctx.result}。" for name in ctx.panel]
    return [*head, f"承办人{ctx.judge}汇报案件事实、证据及处理意见。", *votes,
            f"评议结论：合议庭一致意见，本案以{ctx.result}方式结案。", "合议庭成员签名：" + "、".join(ctx.panel)]


def execution_notice(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """执行通知书 + 报告财产令."""
    return [f"{ctx.respondent.name}：",
            f"{ctx.claimant.name}与你（单位）{ctx.cause}一案，{ctx.related_case_numbers[0]}民事判决书已经发生法律效力。申请执行人{ctx.claimant.name}于{cn_date(ctx.filing_date)}向本院申请强制执行，本院依法立案执行。",
            f"依照《中华人民共和国民事诉讼法》的规定，责令你（单位）立即履行下列义务：一、支付{money(ctx.amount)}；二、加倍支付迟延履行期间的债务利息；三、负担申请执行费。",
            "同时责令你（单位）自收到本通知之日起五日内如实向本院报告财产情况。拒绝报告或者虚假报告的，本院将依法予以罚款、拘留，并纳入失信被执行人名单。",
            cn_date(day)]


def property_report(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """财产调查报告: 网络查控 results by institution."""
    rows = [f"{i}. {bank}：查询到账户{rng.randint(1, 3)}个，余额合计{money(rng.randint(0, ctx.amount // 50 + 1))}。"
            for i, bank in enumerate(("中国工商银行", "中国建设银行", "中国农业银行", "招商银行", "支付宝（中国）网络技术有限公司",
                                      "财付通支付科技有限公司")[: rng.randint(3, 6)], start=1)]
    return [f"案号：{ctx.case_number}", f"被执行人：{ctx.respondent.name}",
            f"本院于{cn_date(day)}通过最高人民法院网络执行查控系统及本地查控系统，对被执行人的存款、车辆、不动产、证券、网络资金等财产进行了查询，结果如下：",
            *rows, "不动产登记中心：未查询到登记在被执行人名下的不动产。", "车辆管理所：未查询到登记在被执行人名下的机动车。",
            f"执行人员：{ctx.judge}", cn_date(day)]


_RULINGS: dict[str, tuple[str, str]] = {
    "终结本次执行程序": ("《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百一十七条",
                 "本案终结本次执行程序。申请执行人发现被执行人有可供执行财产的，可以再次申请执行。"),
    "终结执行": ("《中华人民共和国民事诉讼法》的有关规定", "本案终结执行。"),
}


def execution_ruling(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """执行裁定书: 终结本次执行程序 / 终结执行, or 冻结、划拨 when the debt is paid from accounts."""
    basis, order = _RULINGS.get(ctx.result, (
        "《中华人民共和国民事诉讼法》的有关规定",
        f"冻结、划拨被执行人{ctx.respondent.name}银行存款{money(ctx.amount)}。"))
    return [f"申请执行人：{ctx.claimant.name}。", f"被执行人：{ctx.respondent.name}。",
            f"本院在执行{ctx.claimant.name}与{ctx.respondent.name}{ctx.cause}一案中，"
            "经网络查控和传统调查，被执行人财产状况已查明。",
            f"依照{basis}，裁定如下：", order, "本裁定送达后立即生效。", *_signatures(ctx, day)]


def closing_notice(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """结案通知书."""
    return [f"{ctx.claimant.name}：", f"你（单位）申请执行{ctx.respondent.name}{ctx.cause}一案，本院已于{cn_date(day)}以{ctx.result}方式结案。",
            "特此通知。", cn_date(day)]


def defence(ctx: CaseContext, day: date, rng: random.Random) -> list[str]:
    """答辩状."""
    return [f"答辩人：{ctx.respondent.name}。", f"被答辩人：{ctx.claimant.name}。",
            f"答辩人就被答辩人诉答辩人{ctx.cause}一案，提出答辩意见如下：",
            "一、被答辩人主张的金额与实际不符，部分款项已经清偿。", "二、被答辩人主张的利息标准过高，请求依法调整。",
            f"此致\n{ctx.court.name}", f"答辩人：{ctx.respondent.name}\n{cn_date(day)}"]
