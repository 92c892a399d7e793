"""Word lists for the demo district (demo data: the one place Chinese literals belong), and a
person's name and a phone number drawn from them."""

from __future__ import annotations

import random

from gridgov.people.models import Gender

COUNTY = "佛山市禅城区"
STREET_NAMES = [
    "兆祥街道",
    "鸿翔街道",
    "升平街道",
    "福宁街道",
    "锦华街道",
    "岭南街道",
    "朝安街道",
    "同济街道",
    "普君街道",
    "石湾街道",
    "澜石街道",
    "张槎街道",
]
PLACE_A = list("福升朝锦岭新同普兆鸿澜明华祥安和泰康宁瑞丰盛嘉隆兴荣乐悦怡景")
PLACE_B = list("宁平安华南风济君祥翔石湾苑园湖溪林山峰湾河桥塘岗")
ROADS = [
    "建新路",
    "祖庙路",
    "人民路",
    "福贤路",
    "季华路",
    "汾江中路",
    "岭南大道",
    "同济路",
    "朝安北路",
    "绿景路",
    "文华北路",
    "卫国路",
    "亲仁路",
    "普澜路",
    "锦华路",
]
RESIDENTIAL_SUFFIX = ["花园", "苑", "小区", "新村", "雅居", "华庭", "家园", "公寓"]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯邓曹彭曾萧蔡潘田董袁"
    "叶余杜苏程魏吕丁沈任姚卢钟姜崔谭陆汪范金石廖贾夏韦傅方邹熊孟秦邱侯江尹"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健志"
    "海峰宇晨欣怡嘉俊浩婷雪琳佳慧颖思雨梓轩子涵博宏丹凤国荣德鹏飞斌亮"
)
SPECIALTIES = [
    "法律咨询",
    "医疗保健",
    "心理疏导",
    "家电维修",
    "水电维修",
    "书法绘画",
    "文艺表演",
    "政策宣讲",
    "教育辅导",
    "摄影",
    "计算机",
    "财会",
    "烹饪",
    "园艺绿化",
    "矛盾调解",
    "消防安全",
    "交通安全",
    "理发",
]
INTENTS = [
    "邻里互助",
    "环境维护",
    "治安巡逻",
    "政策宣传",
    "关爱老人",
    "关爱儿童",
    "文体活动",
    "矛盾纠纷调解",
    "扶贫解困",
    "交通协管",
]
PLEDGES = [
    "有事您找我，件件有回音",
    "守护楼栋平安，服务邻里街坊",
    "做群众身边的贴心人",
    "小事不出楼，大事不出小区",
    "用心服务，真情为民",
    "亮身份、践承诺、当先锋",
    "邻里有需要，我一定到",
    "让每一位老人都有人关心",
]
UNITS = [
    "禅城区人民医院",
    "禅城区税务局",
    "禅城区教育局",
    "佛山市第一中学",
    "禅城区人民法院",
    "禅城区住房和城乡建设局",
    "佛山供电局禅城分局",
    "佛山水业集团",
    "禅城区卫生健康局",
    "禅城区司法局",
    "禅城区民政局",
    "禅城区市场监督管理局",
    "佛山公交集团",
    "禅城区城市管理和综合执法局",
    "禅城区应急管理局",
    "佛山市妇幼保健院",
    "禅城区财政局",
    "禅城区人力资源和社会保障局",
    "佛山农商银行禅城支行",
    "禅城区图书馆",
]
OFFICE_SUFFIX = ["大厦", "中心", "广场"]
BUSINESS_SUFFIX = ["商圈", "步行街", "商业街"]


def person(rng: random.Random) -> tuple[str, str]:
    """A name (surname and one or two given characters) and a gender."""
    gender = rng.choice([Gender.FEMALE, Gender.MALE])
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
    return rng.choice(SURNAMES) + given, gender


def phone(rng: random.Random) -> str:
    """A mobile number of the right shape (1, then 3/5/7/8/9, then nine digits)."""
    return "1" + rng.choice("35789") + "".join(str(rng.randrange(10)) for _ in range(9))
