"""Demo data from the seed document: the 2020 Qingdao conference + 2nd SCO youth competition.

Loading twice changes nothing: every record is looked up by a natural key first.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app import models  # noqa: F401  (every mapper known before services build query options)
from app.accounts.models import Role
from app.accounts.services import create_user, find_user, grant_role
from app.clock import utcnow
from app.contributions import demo_loaders
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.registration.models import (
    Attendance,
    AttendanceRule,
    Category,
    Question,
    QuestionKind,
    Registration,
    RegistrationState,
)
from app.registration.services import (
    ParticipantData,
    approve_registration,
    cancel_registration,
    register_participant,
    suggest_latin_name,
)
from app.translated import Translated

DEMO_SLUG = "qingdao-ittc-2020"
DEMO_PASSWORD = "huiwu-demo-2020"  # noqa: S105 - printed for the demo on purpose

DEMO_USERS = [
    ("admin@huiwu.local", "系统管理员 Admin", True, []),
    ("organizer@huiwu.local", "会务组 Organizer", False, [Role.ORGANIZER]),
    ("staff@huiwu.local", "签到员 Check-in", False, [Role.CHECKIN_STAFF]),
    ("judge@huiwu.local", "评委 Judge", False, [Role.JUDGE]),
]

PRIVACY_ZH = (
    "我们收集您的姓名、单位、职务、联系方式和国家/地区，仅用于本次大会的报名、证件制作、"
    "现场签到和会务联系。数据保存至大会结束后一年，之后匿名化处理。您可随时通过报名确认邮件中的"
    "链接查看、修改或取消报名，并可联系主办方导出或删除您的个人数据。"
)
PRIVACY_EN = (
    "We collect your name, organization, title, contact details and country/region only to "
    "handle your registration, print your badge, check you in and contact you about this "
    "conference. The data is kept until one year after the conference and then anonymized. "
    "You can view, change or cancel your registration through the link in the confirmation "
    "email, and ask the organizers to export or delete your personal data at any time."
)

PRIVACY_RU = (
    "Организаторы конференции собирают ваши фамилию и имя, название организации, должность, "
    "контактные данные и страну только для того, чтобы оформить регистрацию, подготовить бейдж, "
    "отметить вас на входе и связываться с вами по вопросам конференции. Данные хранятся в "
    "течение года после окончания конференции, затем обезличиваются. Посмотреть, изменить или "
    "отменить регистрацию можно по ссылке из письма с подтверждением. В любой момент вы можете "
    "попросить организаторов выгрузить или удалить ваши персональные данные."
)

CATEGORIES = [
    # code, zh, en, ru, capacity, approval, attendance, colour
    (
        "government",
        "政府嘉宾",
        "Government guest",
        "Представитель органов власти",
        60,
        True,
        AttendanceRule.EITHER,
        "#b42318",
    ),
    (
        "enterprise",
        "企业代表",
        "Enterprise",
        "Представитель компании",
        120,
        False,
        AttendanceRule.EITHER,
        "#1f6feb",
    ),
    (
        "academia",
        "高校及科研院所",
        "Academia and research",
        "Наука и образование",
        80,
        False,
        AttendanceRule.EITHER,
        "#8250df",
    ),
    ("media", "媒体记者", "Media", "СМИ", 40, True, AttendanceRule.ONSITE, "#bf8700"),
    (
        "team",
        "参赛团队成员",
        "Competition team member",
        "Участник команды конкурса",
        100,
        True,
        AttendanceRule.EITHER,
        "#1a7f37",
    ),
    (
        "online",
        "线上参会",
        "Online attendee",
        "Онлайн-участник",
        None,
        False,
        AttendanceRule.ONLINE,
        "#57606a",
    ),
    # No approval and no limit: an on-site registration is confirmed at once, so a newcomer
    # trying the form gets the confirmation mail with the badge and the QR code straight away.
    (
        "general",
        "普通参会者",
        "General attendee",
        "Участник",
        None,
        False,
        AttendanceRule.ONSITE,
        "#0e7490",
    ),
]
# What each category is for, as the registration page shows it under the name.
CATEGORY_DESCRIPTIONS = {
    "government": {
        "zh": "各国政府部门及驻华使领馆代表。报名经组委会审核后确认。",
        "ru": "Представители государственных органов, посольств и консульств. "
        "Участие подтверждается после одобрения оргкомитетом.",
        "en": "Representatives of government bodies, embassies and consulates. "
        "Confirmed once the organizing committee has approved the registration.",
    },
    "enterprise": {
        "zh": "企业、投资机构及技术转移服务机构代表。",
        "ru": "Представители компаний, инвестиционных фондов и организаций "
        "по трансферу технологий.",
        "en": "Representatives of companies, investors and technology transfer services.",
    },
    "academia": {
        "zh": "高校、科研院所的教师、研究人员及学生。",
        "ru": "Преподаватели, научные сотрудники и студенты вузов и научно-исследовательских "
        "институтов.",
        "en": "Faculty, researchers and students of universities and research institutes.",
    },
    "media": {
        "zh": "持证媒体记者，仅限现场参会，报名经组委会审核后确认。",
        "ru": "Аккредитованные журналисты. Только очное участие, после одобрения оргкомитетом.",
        "en": "Accredited journalists. On site only, once the organizing committee has approved.",
    },
    "team": {
        "zh": "上合组织成员国青年创新创业大赛参赛团队成员，报名经组委会审核后确认。",
        "ru": "Члены команд — участников Молодёжного конкурса инноваций и предпринимательства "
        "стран ШОС. Участие подтверждается после одобрения оргкомитетом.",
        "en": "Members of the teams in the SCO Youth Innovation and Entrepreneurship "
        "Competition, once the organizing committee has approved.",
    },
    "online": {
        "zh": "通过线上直播参加大会，不发放现场证件。",
        "ru": "Участие через онлайн-трансляцию; бейдж для прохода на площадку не выдаётся.",
        "en": "Follow the conference online; no on-site badge is issued.",
    },
    "general": {
        "zh": "其他参会者，报名后即时确认。",
        "ru": "Все остальные участники. Регистрация подтверждается сразу.",
        "en": "Everyone else. Your registration is confirmed at once.",
    },
}


# --- Guests -----------------------------------------------------------------------------------
# About 300 guests are generated deterministically from the name parts below, so the demo shows
# realistic variety (Han, Cyrillic and Latin scripts; the SCO member states, observers and
# partners; government, business, academia, media; on site and online) without 300 fixed rows.

GUEST_RANDOM_SEED = 2020
GUEST_EMAIL_DOMAIN = "example.org"
REGISTRATION_WINDOW = timedelta(weeks=8)

# fmt: off
# Guests per category: enterprise and academia are sized to overflow into the waiting list.
GUEST_PLAN = {
    "government": 40,
    "enterprise": 126,
    "academia": 84,
    "media": 15,
    "team": 20,
    "online": 15,
    "general": 12,  # last, so the guests above stay the same ones
}
# Cancelled afterwards through the normal service (which promotes from the waiting list).
CANCELLATIONS = {"enterprise": 3, "academia": 1, "government": 1, "online": 1}
# Share of the pending registrations in approval categories the organizer has approved.
APPROVED_SHARE = 0.8

# Where guests of each category come from (origin codes below), as relative weights.
ORIGIN_WEIGHTS = {
    "government": {
        "cn": 28, "ru": 2, "kz": 2, "kg": 1, "tj": 1, "uz": 1, "by": 1, "in": 1, "pk": 1, "ir": 1,
        "mn": 1, "no": 1,
    },
    "enterprise": {
        "cn": 90, "ru": 8, "kz": 5, "by": 4, "uz": 4, "in": 4, "pk": 3, "no": 4, "kg": 1, "tj": 1,
        "ir": 1, "mn": 1,
    },
    "academia": {
        "cn": 50, "ru": 8, "kz": 5, "by": 4, "in": 4, "pk": 4, "ir": 3, "uz": 2, "kg": 1, "tj": 1,
        "mn": 1, "no": 1,
    },
    "media": {"cn": 12, "ru": 1, "kz": 1, "by": 1},
    "team": {"ru": 3, "kz": 3, "kg": 2, "tj": 2, "uz": 3, "in": 2, "pk": 2, "by": 1, "cn": 2},
    "online": {"cn": 4, "ru": 2, "in": 2, "pk": 1, "ir": 2, "mn": 1, "no": 2, "uz": 1},
    "general": {"cn": 8, "ru": 2, "kz": 1, "uz": 1},
}
SECTOR_OF_CATEGORY = {
    "government": "gov",
    "enterprise": "biz",
    "academia": "acad",
    "media": "media",
    "team": "team",
}

HAN_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
HAN_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
HAN_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉兰萍红鹏辉建国宁志浩宇晨曦睿婷雪琳欣怡佳涵"
    "轩思源博文嘉诺萱俊凯昊然悦瑶鑫磊晓东海波蕾颖"
)
# Outside GB2312: badges and PDFs must render these too.
HAN_RARE_GIVEN = ("喆", "堃", "玥", "昇", "翀", "犇", "淼", "珺")

CYRILLIC_NAMES = {
    # origin: (male given, female given, surnames in masculine form, surnames invariant)
    "ru": (
        "Александр Алексей Дмитрий Сергей Андрей Михаил Иван Никита Артём Павел Владимир Егор",
        "Анна Мария Екатерина Ольга Наталья Елена Татьяна Дарья Ксения Юлия Полина Софья",
        "Иванов Смирнов Кузнецов Попов Соколов Лебедев Козлов Новиков Морозов Петров Волков "
        "Соловьёв Васильев Зайцев Павлов Семёнов Голубев Виноградов Богданов Воробьёв",
        "",
    ),
    "by": (
        "Александр Андрей Сергей Дмитрий Максим Виктор Юрий Олег",
        "Анастасия Ирина Светлана Алеся Валентина Яна",
        "Ковалёв Романов Жуков",
        "Лукашевич Кравченко Шевчук Мельник Новик Тарасевич Бондаренко Климович",
    ),
    "kz": (
        "Нурлан Ерлан Асхат Данияр Ерболат Арман Бауыржан Ержан Әлихан Қанат",
        "Айгерим Динара Жанар Гульнара Асель Айдана Меруерт Әйгерім",
        "Абенов Нурмаганбетов Сейтказиев Жумабаев Ахметов Касымов Оспанов Искаков Тулегенов",
        "",
    ),
    "kg": (
        "Бакыт Азамат Нурбек Улан Эрмек Талант Айбек",
        "Айпери Жылдыз Бермет Нургуль Асема",
        "Асанов Токтогулов Осмонов Сыдыков Мамытов Жээнбеков",
        "",
    ),
    "tj": (
        "Фарход Рустам Джамшед Сухроб Фирдавс Бахтиёр",
        "Мадина Нилуфар Зарина Шахноза Фарангис",
        "Рахимов Назаров Саидов Шарипов Каримов Исмоилов",
        "",
    ),
    "mn": (
        "Батбаяр Тэмүүлэн Ганзориг Энхболд Мөнхбат",
        "Энхтуяа Болормаа Сарангэрэл Оюунчимэг Номин",
        "",
        "Ганбаатар Дорж Сүхбаатар Батсайхан Цэрэндорж",
    ),
}
LATIN_NAMES = {
    # origin: (male given, female given, surnames; "a" after a surname adds a feminine form)
    "uz": (
        "Dilshod Jasur Sardor Otabek Bekzod Sherzod Javohir Aziz",
        "Dilnoza Malika Nodira Gulnora Sevara Zarina",
        "Karimov Rashidov Yusupov Tursunov Abdullayev Xolmatov Qodirov Ergashev",
    ),
    "in": (
        "Aarav Rahul Vikram Arjun Rohan Siddharth Karthik Amit",
        "Priya Ananya Sneha Kavya Meera Divya Lakshmi",
        "Sharma Verma Gupta Iyer Reddy Nair Patel Singh Kumar Mehta Rao Chatterjee",
    ),
    "pk": (
        "Ahmed Ali Hassan Usman Bilal Imran Hamza Faisal",
        "Ayesha Fatima Sana Zainab Mahnoor Hira",
        "Khan Qureshi Malik Siddiqui Chaudhry Sheikh Raza Hussain Abbasi",
    ),
    "ir": (
        "Ali Reza Mohammad Hossein Amir Arash Kaveh Babak",
        "Sara Maryam Zahra Mahsa Niloufar Shirin",
        "Rezaei Hosseini Ahmadi Mohammadi Karimi Moradi Jafari Rahimi Sadeghi",
    ),
    "no": (
        "Øystein Lars Håkon Magnus Erik Sindre Bjørn",
        "Ingrid Kari Silje Solveig Nora Ragnhild",
        "Hansen Johansen Olsen Larsen Andersen Haugen Bakke Løvland Nygård Strand",
    ),
}
FEMININE_SURNAME_ENDINGS = ("ov", "ev", "ёв", "ин", "ов", "ев")

COUNTRY_OF_ORIGIN = {
    "cn": "CN", "ru": "RU", "by": "BY", "kz": "KZ", "kg": "KG", "tj": "TJ", "uz": "UZ", "in": "IN",
    "pk": "PK", "ir": "IR", "mn": "MN", "no": "NO",
}
LANGUAGE_OF_ORIGIN = {"cn": "zh_CN", "ru": "ru", "by": "ru", "kz": "ru", "kg": "ru", "tj": "ru"}

ORGANIZATIONS = {
    "cn": {
        "gov": (
            "青岛市科学技术局", "青岛市人民政府外事办公室", "青岛市商务局", "山东省科学技术厅",
            "科学技术部国际合作司", "中国—上海合作组织地方经贸合作示范区管委会",
            "青岛高新技术产业开发区管委会", "青岛市工业和信息化局",
        ),
        "biz": (
            "海尔集团", "海信集团", "青岛啤酒股份有限公司", "中车青岛四方机车车辆股份有限公司",
            "赛轮集团股份有限公司", "青岛特锐德电气股份有限公司", "软控股份有限公司",
            "青岛港国际股份有限公司", "青岛双星集团", "歌尔股份有限公司", "青岛海洋生物医药研究院",
            "中国石化青岛炼油化工有限责任公司", "青岛国际技术转移中心", "青岛银行股份有限公司",
        ),
        "acad": (
            "中国海洋大学", "青岛大学", "山东大学（青岛校区）", "中国石油大学（华东）",
            "青岛科技大学", "青岛理工大学", "山东科技大学", "青岛农业大学",
            "中国科学院青岛生物能源与过程研究所", "自然资源部第一海洋研究所",
            "青岛海洋科学与技术试点国家实验室", "哈尔滨工业大学", "清华大学", "北京理工大学",
        ),
        "media": (
            "中央广播电视总台", "新华社", "科技日报", "大众日报", "青岛日报", "山东广播电视台",
            "青岛广播电视台", "凤凰网", "今日头条", "中国日报",
        ),
    },
    "ru": {
        "gov": (
            "Министерство науки и высшего образования РФ", "Торговое представительство РФ в КНР",
        ),
        "biz": (
            "Фонд «Сколково»", "Госкорпорация «Ростех»", "Технопарк «Академпарк»",
            "Российский фонд прямых инвестиций",
        ),
        "acad": (
            "МГУ имени М. В. Ломоносова", "Новосибирский государственный университет",
            "Томский политехнический университет",
            "Санкт-Петербургский политехнический университет Петра Великого",
        ),
        "media": ("ТАСС", "МИА «Россия сегодня»"),
    },
    "by": {
        "gov": ("Государственный комитет по науке и технологиям Республики Беларусь",),
        "biz": (
            "Парк высоких технологий", "ОАО «БелАЗ»",
            "Китайско-Белорусский индустриальный парк «Великий камень»",
        ),
        "acad": (
            "Белорусский государственный университет",
            "Белорусский национальный технический университет",
        ),
        "media": ("БелТА",),
    },
    "kz": {
        "gov": (
            "Министерство цифрового развития Республики Казахстан",
            "Генеральное консульство Республики Казахстан в Шанхае",
        ),
        "biz": ("Astana Hub", "АО «Казахтелеком»", "Технопарк «Алатау»"),
        "acad": (
            "Казахский национальный университет имени аль-Фараби", "Назарбаев Университет",
            "Евразийский национальный университет имени Л. Н. Гумилёва",
        ),
        "media": ("Казинформ",),
    },
    "kg": {
        "gov": ("Министерство экономики и коммерции Кыргызской Республики",),
        "biz": ("Парк высоких технологий Кыргызской Республики",),
        "acad": (
            "Кыргызский государственный технический университет им. И. Раззакова",
            "Кыргызско-Российский Славянский университет",
        ),
    },
    "tj": {
        "gov": ("Министерство промышленности и новых технологий Республики Таджикистан",),
        "biz": ("ОАО «Талко»",),
        "acad": (
            "Таджикский национальный университет",
            "Таджикский технический университет имени академика М. С. Осими",
        ),
    },
    "uz": {
        "gov": ("Ministry of Innovative Development of the Republic of Uzbekistan",),
        "biz": ("IT Park Uzbekistan", "Uzbekneftegaz"),
        "acad": (
            "Tashkent University of Information Technologies", "National University of Uzbekistan",
        ),
    },
    "in": {
        "gov": ("Department of Science and Technology, Government of India",),
        "biz": ("Infosys", "Tata Consultancy Services", "Wipro"),
        "acad": ("Indian Institute of Technology Delhi", "Indian Institute of Science, Bengaluru"),
    },
    "pk": {
        "gov": ("Ministry of Science and Technology, Pakistan",),
        "biz": ("Systems Limited", "Engro Corporation"),
        "acad": (
            "National University of Sciences and Technology (NUST)",
            "COMSATS University Islamabad",
        ),
    },
    "ir": {
        "gov": ("Vice-Presidency for Science and Technology, Iran",),
        "biz": ("Pardis Technology Park",),
        "acad": ("Sharif University of Technology", "University of Tehran"),
    },
    "mn": {
        "gov": ("Монгол Улсын Боловсрол, шинжлэх ухааны яам",),
        "biz": ("Монголын Үндэсний Худалдаа Аж Үйлдвэрийн Танхим",),
        "acad": ("Монгол Улсын Их Сургууль", "Шинжлэх Ухаан Технологийн Их Сургууль"),
    },
    "no": {
        "gov": ("Royal Norwegian Embassy in Beijing", "Innovation Norway"),
        "biz": (
            "Equinor", "Kongsberg Gruppen", "DNV",
            "China–Norway Future Innovation Technology Platform",
        ),
        "acad": (
            "NTNU – Norwegian University of Science and Technology", "SINTEF",
            "University of Bergen",
        ),
    },
}
JOB_TITLES = {
    "zh_CN": {
        "gov": ("处长", "副处长", "主任", "副局长", "科长", "一级调研员"),
        "biz": ("总经理", "副总经理", "技术总监", "董事长", "研发经理", "国际业务部经理"),
        "acad": ("教授", "副教授", "研究员", "副研究员", "博士后", "讲师"),
        "media": ("记者", "编辑", "摄影记者", "主编"),
        "team": ("创始人", "联合创始人", "博士研究生", "硕士研究生"),
    },
    "ru": {
        "gov": ("Начальник отдела", "Заместитель министра", "Советник", "Консул"),
        "biz": (
            "Генеральный директор", "Технический директор", "Руководитель проекта",
            "Директор по развитию",
        ),
        "acad": ("Профессор", "Доцент", "Научный сотрудник", "Проректор по науке"),
        "media": ("Корреспондент", "Редактор"),
        "team": ("Основатель", "Сооснователь", "Аспирант", "Магистрант"),
    },
    "en": {
        "gov": ("Director", "Deputy Director", "Counsellor", "Head of International Cooperation"),
        "biz": ("CEO", "CTO", "Business Development Manager", "Head of R&D"),
        "acad": ("Professor", "Associate Professor", "Senior Researcher", "Postdoctoral Fellow"),
        "media": ("Correspondent", "Editor"),
        "team": ("Founder", "Co-founder", "PhD Student", "Master's Student"),
    },
}

# fmt: on

# Russian passport-style letters, plus the Kazakh and Mongolian ones; "-" means dropped.
_CYRILLIC_LATIN_PAIRS = (
    "а:a б:b в:v г:g д:d е:e ё:e ж:zh з:z и:i й:y к:k л:l м:m н:n о:o п:p р:r с:s т:t у:u ф:f "
    "х:kh ц:ts ч:ch ш:sh щ:shch ъ:- ы:y ь:- э:e ю:yu я:ya ә:a ғ:g қ:q ң:ng ө:o ұ:u ү:u һ:h і:i"
)
CYRILLIC_TO_LATIN = dict(pair.split(":") for pair in _CYRILLIC_LATIN_PAIRS.split(" "))


def transliterate_cyrillic(text: str) -> str:
    """Latin letters for a Cyrillic name, as on a passport ("Артём Соловьёв" → "Artem Solovev")."""
    out = []
    for char in text:
        latin = CYRILLIC_TO_LATIN.get(char.lower())
        if latin is None:
            out.append(char)
            continue
        latin = "" if latin == "-" else latin
        out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


@dataclass
class GuestSpec:
    """One generated guest: who, from where, into which category, registered when."""

    category: str
    native_name: str
    latin_name: str
    email: str
    organization: str
    job_title: str
    country: str
    language: str
    online: bool
    phone: str
    diet: str
    sessions: list[str]
    hotel: str
    registered_at: datetime


def _feminine(surname: str) -> str:
    return surname + "а" if surname.endswith(FEMININE_SURNAME_ENDINGS) else surname


def _guest_name(rng: random.Random, origin: str, serial: int) -> tuple[str, str]:
    """(native name, Latin name); the Latin name is empty for Han names (derived by pinyin)."""
    if origin == "cn":
        surname = (
            rng.choice(HAN_COMPOUND_SURNAMES) if rng.random() < 0.03 else rng.choice(HAN_SURNAMES)
        )
        given = rng.choice(HAN_GIVEN)
        if serial % 9 == 0:
            given += rng.choice(HAN_RARE_GIVEN)
        elif rng.random() < 0.7:
            given += rng.choice(HAN_GIVEN)
        return surname + given, ""
    female = rng.random() < 0.45
    if origin in CYRILLIC_NAMES:
        males, females, declined, invariant = (part.split() for part in CYRILLIC_NAMES[origin])
        given = rng.choice(females if female else males)
        surname = rng.choice(declined + invariant)
        if female and surname in declined:
            surname = _feminine(surname)
        native = f"{given} {surname}"
        return native, transliterate_cyrillic(native)
    males, females, surnames = (part.split() for part in LATIN_NAMES[origin])
    given = rng.choice(females if female else males)
    surname = rng.choice(surnames)
    if female and origin == "uz":
        surname += "a"
    native = f"{given} {surname}"
    return native, native


def _email_local_part(latin_name: str, serial: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", latin_name.replace("ø", "o").replace("Ø", "O"))
    letters = "".join(c for c in ascii_name.lower() if c.isascii() and (c.isalnum() or c == " "))
    return ".".join(letters.split()) + f".{serial:03d}"


def generate_guests(anchor: datetime) -> list[GuestSpec]:
    """The demo guests, always the same ones, registering over the weeks before `anchor`."""
    rng = random.Random(GUEST_RANDOM_SEED)
    guests: list[GuestSpec] = []
    serial = 0
    for category, count in GUEST_PLAN.items():
        origins, weights = zip(*ORIGIN_WEIGHTS[category].items(), strict=True)
        for _ in range(count):
            serial += 1
            origin = rng.choices(origins, weights)[0]
            native, latin = _guest_name(rng, origin, serial)
            email_name = _email_local_part(latin or suggest_latin_name(native), serial)
            language = LANGUAGE_OF_ORIGIN.get(origin, "en")
            sector = SECTOR_OF_CATEGORY.get(category) or rng.choice(("gov", "biz", "acad"))
            org_sector = "acad" if sector == "team" else sector
            org_choices = ORGANIZATIONS[origin].get(org_sector) or ORGANIZATIONS[origin]["acad"]
            online = category == "online" or (
                category not in ("media", "general")
                and rng.random() < (0.05 if origin == "cn" else 0.25)
            )
            diet = "none"
            if origin in ("kz", "kg", "tj", "uz", "pk", "ir") and rng.random() < 0.6:
                diet = "halal"
            elif rng.random() < 0.08:
                diet = "vegetarian"
            sessions = sorted(rng.sample(["opening", "matchmaking", "final"], rng.randint(1, 3)))
            # Later weeks get more registrations, as before a real deadline.
            age = REGISTRATION_WINDOW * (1 - rng.betavariate(2.2, 1.3))
            guests.append(
                GuestSpec(
                    category=category,
                    native_name=native,
                    latin_name=latin,
                    email=f"{email_name}@{GUEST_EMAIL_DOMAIN}",
                    organization=rng.choice(org_choices),
                    job_title=rng.choice(JOB_TITLES.get(language, JOB_TITLES["en"])[sector]),
                    country=COUNTRY_OF_ORIGIN[origin],
                    language=language,
                    online=online,
                    phone=f"+861{rng.choice('3578')}{rng.randrange(10**9):09d}"
                    if origin == "cn"
                    else "",
                    diet=diet,
                    sessions=sessions,
                    hotel="yes" if origin != "cn" and not online and rng.random() < 0.7 else "no",
                    registered_at=(anchor - age).replace(microsecond=0),
                )
            )
    guests.sort(key=lambda g: g.registered_at)
    return guests


@dataclass
class DemoSummary:
    """What the loader created or found, for printing."""

    event_slug: str
    # For the domains' loaders: the password of every demo login, the organizer's email.
    password: str = DEMO_PASSWORD
    organizer_email: str = DEMO_USERS[1][0]
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """Human-readable summary with the demo logins."""
        lines = [f"demo event: /e/{self.event_slug}/"]
        lines += [f"  created {name}: {count}" for name, count in self.created.items()]
        lines.append(f"logins (password for all: {DEMO_PASSWORD}):")
        lines += [f"  {email:28} {role}" for email, _, role in self.logins]
        return "\n".join(lines)


def _shanghai(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def _ensure_event(summary: DemoSummary) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if event is not None:
        return event
    event = Event(
        slug=DEMO_SLUG,
        title=Translated(
            zh="2020青岛国际技术转移大会暨第二届上合组织成员国青年创新创业大赛",
            ru="Международная конференция по трансферу технологий «Циндао-2020» и II Конкурс "
            "молодёжных инноваций и предпринимательства государств — членов ШОС",
            en="2020 Qingdao International Technology Transfer Conference and the 2nd SCO "
            "Member States Youth Innovation and Entrepreneurship Competition",
        ),
        description=Translated(
            zh="中国—上海合作组织技术转移中心启用仪式暨项目签约，国际技术成果对接，"
            "上合组织成员国青年创新创业大赛路演与决赛。线上线下多种形式参与。",
            ru="Открытие Центра трансфера технологий Китай — ШОС и церемония подписания "
            "соглашений, международные встречи по трансферу технологий, питч-сессии и финал "
            "молодёжного конкурса инноваций и предпринимательства ШОС. Участвовать можно очно "
            "и онлайн.",
            en="Launch of the China–SCO Technology Transfer Center with a signing "
            "ceremony, international technology matchmaking, and the pitches and final of the SCO "
            "youth innovation and entrepreneurship competition. On site and online.",
        ),
        venue=Translated(
            zh="青岛·中国—上海合作组织技术转移中心",
            ru="Центр трансфера технологий Китай — ШОС, Циндао",
            en="China–SCO Technology Transfer Center, Qingdao",
        ),
        starts_at=_shanghai(2026, 12, 16, 9),
        ends_at=_shanghai(2026, 12, 17, 18),
        timezone="Asia/Shanghai",
        status=EventStatus.OPEN,
        kind=EventKind.BOTH,
        privacy_text=Translated(zh=PRIVACY_ZH, ru=PRIVACY_RU, en=PRIVACY_EN),
        contact_email="ittc@example.org",
        content_languages=["zh", "ru", "en"],
        # Online attendees reach it only through their personal join links (/j/<token>).
        online_url="https://live.example.org/ittc-2020",
    )
    db.session.add(event)
    db.session.flush()
    summary.created["events"] = summary.created.get("events", 0) + 1
    return event


def _ensure_categories(event: Event, summary: DemoSummary) -> dict[str, Category]:
    existing = {c.code: c for c in event.categories}
    for position, (code, zh, en, ru, capacity, approval, rule, color) in enumerate(CATEGORIES):
        if code in existing:
            continue
        category = Category(
            event_id=event.id,
            code=code,
            name=Translated(zh=zh, ru=ru, en=en),
            description=Translated(CATEGORY_DESCRIPTIONS.get(code, {})),
            capacity=capacity,
            requires_approval=approval,
            attendance_rule=rule,
            color=color,
            position=position,
        )
        db.session.add(category)
        existing[code] = category
        summary.created["categories"] = summary.created.get("categories", 0) + 1
    db.session.flush()
    return existing


def _ensure_questions(event: Event, summary: DemoSummary) -> None:
    if event.questions:
        return
    db.session.add_all(
        [
            Question(
                event_id=event.id,
                kind=QuestionKind.SINGLE_CHOICE,
                position=0,
                required=True,
                label=Translated(
                    zh="餐饮需求", ru="Особенности питания", en="Dietary requirements"
                ),
                choices=[
                    {
                        "value": "none",
                        "zh": "无特殊要求",
                        "ru": "Нет особых требований",
                        "en": "None",
                    },
                    {
                        "value": "vegetarian",
                        "zh": "素食",
                        "ru": "Вегетарианское питание",
                        "en": "Vegetarian",
                    },
                    {"value": "halal", "zh": "清真", "en": "Halal", "ru": "Халяль"},
                ],
            ),
            Question(
                event_id=event.id,
                kind=QuestionKind.MULTIPLE_CHOICE,
                position=1,
                required=False,
                label=Translated(
                    zh="计划参加的环节",
                    ru="Какие мероприятия программы вы планируете посетить?",
                    en="Sessions you plan to attend",
                ),
                choices=[
                    {
                        "value": "opening",
                        "zh": "开幕式及签约仪式",
                        "en": "Opening and signing ceremony",
                        "ru": "Открытие и церемония подписания",
                    },
                    {
                        "value": "matchmaking",
                        "zh": "技术成果对接会",
                        "en": "Technology matchmaking",
                        "ru": "Встречи по трансферу технологий",
                    },
                    {
                        "value": "final",
                        "zh": "青年创新创业大赛决赛",
                        "en": "Youth competition final",
                        "ru": "Финал молодёжного конкурса",
                    },
                ],
            ),
            Question(
                event_id=event.id,
                kind=QuestionKind.YES_NO,
                position=2,
                required=False,
                label=Translated(
                    zh="是否需要大会协助预订酒店",
                    ru="Нужна ли вам помощь с бронированием гостиницы?",
                    en="Do you need help booking a hotel?",
                ),
            ),
        ]
    )
    summary.created["questions"] = 3


def _ensure_users(event: Event, summary: DemoSummary) -> None:
    for email, name, is_admin, roles in DEMO_USERS:
        user = find_user(email)
        if user is None:
            user = create_user(email, name, DEMO_PASSWORD, is_admin=is_admin)
            summary.created["users"] = summary.created.get("users", 0) + 1
        for role in roles:
            grant_role(user, event, role)
        label = "site administrator" if is_admin else ", ".join(r.value for r in roles)
        summary.logins.append((email, DEMO_PASSWORD, label))


def _registration_times(registration: Registration, moments: list[datetime]) -> None:
    """Backdate a demo registration's history: one moment per state change, in order."""
    for change, moment in zip(registration.changes, moments, strict=False):
        change.created_at = moment
    registration.created_at = registration.consent_at = moments[0]
    registration.updated_at = moments[min(len(moments), len(registration.changes)) - 1]


def _ensure_guests(event: Event, categories: dict[str, Category], summary: DemoSummary) -> None:
    """Register the missing demo guests through the registration services, without mail."""
    known = set(
        db.session.scalars(
            select(func.lower(Registration.email)).where(Registration.event_id == event.id)
        )
    )
    anchor = min(utcnow(), event.starts_at - timedelta(days=1)).replace(microsecond=0)
    guests = [g for g in generate_guests(anchor) if g.email.lower() not in known]
    if not guests:
        return
    if event.status != EventStatus.OPEN:
        summary.notes.append("guests not loaded: the demo event is not open for registration")
        return
    organizer = find_user(DEMO_USERS[1][0])
    questions = {q.label.get("en", ""): str(q.id) for q in event.questions}
    rng = random.Random(GUEST_RANDOM_SEED + 1)
    created: list[tuple[GuestSpec, Registration]] = []
    for guest in guests:
        answers = {
            questions.get("Dietary requirements"): guest.diet,
            questions.get("Sessions you plan to attend"): guest.sessions,
            questions.get("Do you need help booking a hotel?"): guest.hotel,
        }
        data = ParticipantData(
            native_name=guest.native_name,
            latin_name=guest.latin_name,
            email=guest.email,
            country=guest.country,
            attendance=Attendance.ONLINE if guest.online else Attendance.ONSITE,
            language=guest.language,
            organization=guest.organization,
            job_title=guest.job_title,
            phone=guest.phone,
            answers={k: v for k, v in answers.items() if k is not None},
        )
        registration = register_participant(event, categories[guest.category], data, notify=False)
        created.append((guest, registration))
    db.session.flush()
    times = {registration.id: [guest.registered_at] for guest, registration in created}

    def later(registration: Registration, days: float) -> datetime:
        moment = times[registration.id][-1] + timedelta(days=days)
        return min(moment, anchor)

    # The organizer has reviewed the older part of each approval category.
    for category in categories.values():
        if not category.requires_approval:
            continue
        pending = [r for _, r in created if r.category_id == category.id and r.state == "pending"]
        for registration in pending[: round(len(pending) * APPROVED_SHARE)]:
            approve_registration(registration, organizer, notify=False)
            times[registration.id].append(later(registration, rng.uniform(0.2, 4)))
    # A few cancel; their places go to the waiting list through the normal promotion.
    for code, count in CANCELLATIONS.items():
        category = categories[code]
        holders = [
            r
            for _, r in created
            if r.category_id == category.id
            and r.state in (RegistrationState.CONFIRMED, RegistrationState.PENDING)
        ]
        for registration in rng.sample(holders, min(count, len(holders))):
            waiting = {
                r.id
                for _, r in created
                if r.category_id == category.id and r.state == RegistrationState.WAITLISTED
            }
            cancel_registration(registration, note="demo: cannot attend", notify=False)
            moment = later(registration, rng.uniform(1, 10))
            times[registration.id].append(moment)
            for promoted_id in waiting:
                promoted = db.session.get(Registration, promoted_id)
                if promoted.state != RegistrationState.WAITLISTED:
                    times[promoted_id].append(max(moment, times[promoted_id][-1]))
    db.session.flush()
    for _, registration in created:
        _registration_times(registration, times[registration.id])
    db.session.flush()
    summary.created["registrations"] = len(created)


def load_demo() -> DemoSummary:
    """Create the demo event, categories, questions, staff logins and guests if missing."""
    summary = DemoSummary(event_slug=DEMO_SLUG)
    event = _ensure_event(summary)
    categories = _ensure_categories(event, summary)
    _ensure_questions(event, summary)
    db.session.flush()
    _ensure_users(event, summary)
    _ensure_guests(event, categories, summary)
    for load_domain_demo in demo_loaders():  # check-in, ceremonies, media, judging (init_app)
        load_domain_demo(event, summary)
    db.session.commit()
    return summary
