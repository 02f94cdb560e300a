"""Seeded tables of courts, people and companies for synthetic case files.

Every value comes from ``rng`` so that one seed always yields the same names.
Court codes are the 法院代字 of the 案号 (法〔2015〕137号): province abbreviation
plus the last four digits of the county-level administrative division code.
"""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Court:
    """A basic-level court: name, 法院代字 for the 案号, 全宗号, 档案室 name."""

    name: str
    code: str
    fonds: str
    city: str


COURTS: tuple[Court, ...] = (
    Court("北京市朝阳区人民法院", "京0105", "J105", "北京"),
    Court("北京市海淀区人民法院", "京0108", "J108", "北京"),
    Court("上海市浦东新区人民法院", "沪0115", "H115", "上海"),
    Court("广州市天河区人民法院", "粤0106", "Y106", "广州"),
    Court("深圳市南山区人民法院", "粤0305", "Y305", "深圳"),
    Court("杭州市西湖区人民法院", "浙0106", "Z106", "杭州"),
    Court("南京市鼓楼区人民法院", "苏0106", "S106", "南京"),
    Court("成都市武侯区人民法院", "川0107", "C107", "成都"),
    Court("武汉市江岸区人民法院", "鄂0102", "E102", "武汉"),
)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰志华建国红玉梅凤鹏辉晨阳宇浩然"
    "欣怡子轩梓涵一诺思远嘉琪雨婷俊杰文博海燕春生德成永庆立新晓东丹丹振宇"
)
_BRAND = "华信恒泰安达瑞鑫宏远中盛天成金瑞博通汇丰嘉禾新程远航润泽东方百川融创启明正源永兴"
_INDUSTRY = ("科技", "贸易", "建设工程", "商贸", "网络科技", "供应链管理", "餐饮管理", "文化传媒", "机械设备", "电子")
_BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "招商银行", "交通银行", "中国银行")
_DISTRICTS = {"北京": "朝阳", "上海": "浦东", "广州": "天河", "深圳": "南山", "杭州": "西湖",
              "南京": "鼓楼", "成都": "武侯", "武汉": "江岸"}


def court_by_code(code: str) -> Court | None:
    """The court whose 法院代字 is ``code``, if it is in the table."""
    return next((c for c in COURTS if c.code == code), None)


def person_name(rng: random.Random) -> str:
    """A Chinese personal name: one surname and one or two given characters."""
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def distinct_people(rng: random.Random, count: int, avoid: set[str] | None = None) -> list[str]:
    """``count`` different personal names, none of them in ``avoid``."""
    seen = set(avoid or ())
    names: list[str] = []
    while len(names) < count:
        name = person_name(rng)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def company_name(rng: random.Random, city: str, industry: str | None = None) -> str:
    """A limited company registered in ``city``, e.g. 北京恒泰科技有限公司."""
    brand = "".join(rng.sample(_BRAND, 2))
    return f"{city}{brand}{industry or rng.choice(_INDUSTRY)}有限公司"


def bank_branch(rng: random.Random, city: str) -> str:
    """A bank branch as it appears as a plaintiff in 金融借款合同纠纷."""
    district = _DISTRICTS.get(city, "")
    return f"{rng.choice(_BANKS)}股份有限公司{city}{district}支行"


def paper_location(rng: random.Random) -> str:
    """Shelf of the paper original in the court's archive room."""
    return f"本院档案室 第{rng.randint(1, 12)}排第{rng.randint(1, 30)}架"
