"""Judging rubric of the demo SCO youth innovation and entrepreneurship competition.

The criteria, weights and level bands used by the rounds of the demo 上合组织青年创新创业大赛
(SCO Youth Innovation and Entrepreneurship Competition), written in Chinese, English and
Russian as the organizers publish them. The demo loader (app.judging.demo) reads RUBRIC to
set up each round's criteria and the level descriptors shown on the judges' score sheets.
"""

from __future__ import annotations

# Six criteria, weights summing to 100. Every criterion is scored 0-10 in steps of 0.5;
# the four level bands (0-3, 3.5-6, 6.5-8, 8.5-10) cover that scale without gaps.
RUBRIC: list[dict] = [
    {
        "name": {
            "zh": "创新性",
            "en": "Innovation",
            "ru": "Инновационность",
        },
        "weight": 25,
        "description": {
            "zh": (
                "考察项目在技术、产品或商业模式上相对现有方案的新颖程度和先进性，"
                "以及核心技术的自主程度和知识产权保护情况。"
            ),
            "en": (
                "How new and advanced the technology, product or model is compared with existing "
                "solutions, and how far the team owns its core technology and protects it with IP."
            ),
            "ru": (
                "Новизна и технический уровень продукта, технологии или модели по сравнению с "
                "существующими решениями; наличие собственной ключевой технологии и её правовая "
                "защита."
            ),
        },
        "levels": [
            {
                "low": 0,
                "high": 3,
                "title": {"zh": "薄弱", "en": "Weak", "ru": "Слабо"},
                "descriptor": {
                    "zh": (
                        "项目是对现有产品的简单模仿或拼凑，看不出明显的技术或模式改进；没有原型，"
                        "也没有任何知识产权布局。"
                    ),
                    "en": (
                        "The project copies or recombines existing products with no clear "
                        "technical or business-model improvement; there is no prototype and no IP."
                    ),
                    "ru": (
                        "Проект повторяет или комбинирует существующие продукты без заметных "
                        "технических или концептуальных улучшений; прототипа нет, права на "
                        "интеллектуальную собственность не оформлены."
                    ),
                },
            },
            {
                "low": 3.5,
                "high": 6,
                "title": {"zh": "一般", "en": "Adequate", "ru": "Средне"},
                "descriptor": {
                    "zh": (
                        "在已有方案基础上有局部改进，创新点讲得清但未经验证；"
                        "处于概念或实验室样机阶段，专利等知识产权尚在准备中。"
                    ),
                    "en": (
                        "Incremental improvement on existing solutions: the novelty is clearly "
                        "stated but not yet proven. Concept or lab-prototype stage; patent filings "
                        "are still being prepared."
                    ),
                    "ru": (
                        "Частичное улучшение известных решений: новизна сформулирована, но не "
                        "подтверждена. Проект на стадии концепции или лабораторного образца, "
                        "заявка на патент только готовится."
                    ),
                },
            },
            {
                "low": 6.5,
                "high": 8,
                "title": {"zh": "良好", "en": "Strong", "ru": "Хорошо"},
                "descriptor": {
                    "zh": (
                        "可运行的原型证明相对同类产品有明确优势（性能、成本或体验），"
                        "并有测试数据支撑；已提交专利或软件著作权申请。"
                    ),
                    "en": (
                        "A working prototype shows a clear advantage over comparable products "
                        "(performance, cost or user experience), backed by test data; a patent or "
                        "software copyright application has been filed."
                    ),
                    "ru": (
                        "Работающий прототип имеет явное преимущество перед аналогами (по "
                        "характеристикам, цене или удобству), подтверждённое испытаниями; подана "
                        "заявка на патент или на регистрацию программы для ЭВМ."
                    ),
                },
            },
            {
                "low": 8.5,
                "high": 10,
                "title": {"zh": "突出", "en": "Outstanding", "ru": "Отлично"},
                "descriptor": {
                    "zh": (
                        "核心技术达到国内外领先水平，或开辟了现有产品尚未覆盖的新应用；"
                        "已获授权专利或形成自主知识产权组合，并经第三方检测或专家认可。"
                    ),
                    "en": (
                        "The core technology leads the field or opens an application no existing "
                        "product covers; patents granted or a proprietary IP portfolio in place, "
                        "confirmed by independent testing or expert review."
                    ),
                    "ru": (
                        "Ключевая технология соответствует передовому мировому уровню или "
                        "открывает новую область применения; получены патенты или сформирован "
                        "портфель ИС, уровень разработки подтверждён независимой экспертизой."
                    ),
                },
            },
        ],
    },
    {
        "name": {
            "zh": "市场前景",
            "en": "Market potential",
            "ru": "Рыночный потенциал",
        },
        "weight": 20,
        "description": {
            "zh": (
                "考察目标市场的规模与增长性、用户痛点是否真实存在，"
                "以及项目进入本国及其他上合组织国家市场的可能性。"
            ),
            "en": (
                "The size and growth of the target market, whether the customer problem is real, "
                "and the project's chances in its home market and in other SCO countries."
            ),
            "ru": (
                "Объём и динамика целевого рынка, реальность потребности клиентов, а также "
                "возможность выхода на внутренний рынок и рынки других государств ШОС."
            ),
        },
        "levels": [
            {
                "low": 0,
                "high": 3,
                "title": {"zh": "薄弱", "en": "Weak", "ru": "Слабо"},
                "descriptor": {
                    "zh": (
                        "目标用户和市场范围模糊，市场规模缺乏数据依据；"
                        "没有与潜在客户接触的任何证据。"
                    ),
                    "en": (
                        "Target customers and market are vague, market size is not backed by data, "
                        "and there is no evidence of contact with potential customers."
                    ),
                    "ru": (
                        "Целевая аудитория и рынок не определены чётко, объём рынка не подкреплён "
                        "данными; нет подтверждений контактов с потенциальными клиентами."
                    ),
                },
            },
            {
                "low": 3.5,
                "high": 6,
                "title": {"zh": "一般", "en": "Adequate", "ru": "Средне"},
                "descriptor": {
                    "zh": (
                        "目标客户群明确，并用公开数据估算了市场规模；做过用户访谈或问卷，"
                        "但尚无付费意愿或合作意向的证明。"
                    ),
                    "en": (
                        "A defined customer segment and a market size estimated from public data; "
                        "interviews or surveys done, but no proof yet of willingness to pay or "
                        "intent to cooperate."
                    ),
                    "ru": (
                        "Определён целевой сегмент, объём рынка оценён по открытым данным; "
                        "проведены интервью или опросы, но готовность клиентов платить или "
                        "сотрудничать пока не подтверждена."
                    ),
                },
            },
            {
                "low": 6.5,
                "high": 8,
                "title": {"zh": "良好", "en": "Strong", "ru": "Хорошо"},
                "descriptor": {
                    "zh": (
                        "自下而上测算了可触达市场，竞品分析清晰；已有试点用户或合作意向书，"
                        "并至少打通一个明确的销售渠道。"
                    ),
                    "en": (
                        "A bottom-up estimate of the reachable market and a clear competitor "
                        "analysis; pilot users or letters of intent secured, and at least one "
                        "concrete sales channel open."
                    ),
                    "ru": (
                        "Доступный рынок рассчитан «снизу вверх», конкуренты чётко "
                        "проанализированы; есть пилотные пользователи или письма о намерениях и "
                        "хотя бы один рабочий канал продаж."
                    ),
                },
            },
            {
                "low": 8.5,
                "high": 10,
                "title": {"zh": "突出", "en": "Outstanding", "ru": "Отлично"},
                "descriptor": {
                    "zh": (
                        "已有付费客户或订单，收入持续增长，市场空间大、增速快；"
                        "需求已在两个及以上上合组织国家得到验证，或已有跨境渠道合作伙伴。"
                    ),
                    "en": (
                        "Paying customers or orders and growing revenue in a large, fast-growing "
                        "market; demand validated in two or more SCO countries, or a cross-border "
                        "distribution partner on board."
                    ),
                    "ru": (
                        "Есть платящие клиенты или заказы и растущая выручка на крупном "
                        "быстрорастущем рынке; спрос подтверждён в двух и более странах ШОС либо "
                        "есть партнёр по трансграничной дистрибуции."
                    ),
                },
            },
        ],
    },
    {
        "name": {
            "zh": "商业模式",
            "en": "Business model",
            "ru": "Бизнес-модель",
        },
        "weight": 15,
        "description": {
            "zh": (
                "考察项目如何创造价值并获得收入，包括收入来源、定价、成本结构，"
                "以及单位经济模型是否合理、可持续。"
            ),
            "en": (
                "How the project creates value and earns money: revenue streams, pricing, cost "
                "structure, and whether the unit economics are sound and sustainable."
            ),
            "ru": (
                "Как проект создаёт ценность и зарабатывает: источники выручки, ценообразование, "
                "структура затрат, обоснованность и устойчивость юнит-экономики."
            ),
        },
        "levels": [
            {
                "low": 0,
                "high": 3,
                "title": {"zh": "薄弱", "en": "Weak", "ru": "Слабо"},
                "descriptor": {
                    "zh": (
                        "说不清谁付费、为什么付费；没有定价和成本测算，或盈利完全依赖补贴和奖金。"
                    ),
                    "en": (
                        "It is unclear who pays and why; there is no pricing or cost estimate, or "
                        "the project depends entirely on grants and prize money."
                    ),
                    "ru": (
                        "Неясно, кто и за что платит; расчётов цены и затрат нет, либо проект "
                        "полностью зависит от грантов и призовых средств."
                    ),
                },
            },
            {
                "low": 3.5,
                "high": 6,
                "title": {"zh": "一般", "en": "Adequate", "ru": "Средне"},
                "descriptor": {
                    "zh": (
                        "收入来源和定价思路清楚，但成本和利润测算较粗略；获客成本、"
                        "复购率等关键假设尚未验证。"
                    ),
                    "en": (
                        "Revenue streams and pricing logic are clear, but cost and margin "
                        "estimates are rough; key assumptions such as acquisition cost and repeat "
                        "purchases are untested."
                    ),
                    "ru": (
                        "Источники выручки и логика ценообразования понятны, но расчёт затрат и "
                        "маржи приблизителен; ключевые допущения (стоимость привлечения клиента, "
                        "повторные покупки) не проверены."
                    ),
                },
            },
            {
                "low": 6.5,
                "high": 8,
                "title": {"zh": "良好", "en": "Strong", "ru": "Хорошо"},
                "descriptor": {
                    "zh": (
                        "单位经济模型完整（客单收入、获客成本、毛利率），关键数据部分来自试点；"
                        "有三年财务预测和切实可行的融资计划。"
                    ),
                    "en": (
                        "Complete unit economics (revenue per customer, acquisition cost, gross "
                        "margin), partly based on pilot data; a three-year forecast and a "
                        "realistic funding plan."
                    ),
                    "ru": (
                        "Юнит-экономика просчитана полностью (выручка на клиента, стоимость "
                        "привлечения, валовая маржа), частично по данным пилота; есть финансовый "
                        "прогноз на три года и реалистичный план привлечения инвестиций."
                    ),
                },
            },
            {
                "low": 8.5,
                "high": 10,
                "title": {"zh": "突出", "en": "Outstanding", "ru": "Отлично"},
                "descriptor": {
                    "zh": (
                        "实际经营数据证明单位经济为正、毛利健康，模式可在其他地区和国家复制；"
                        "已获得投资或有清晰的盈亏平衡路径。"
                    ),
                    "en": (
                        "Real operating data show positive unit economics and healthy margins; the "
                        "model is replicable in other regions and countries, and the team has "
                        "raised investment or has a clear path to break-even."
                    ),
                    "ru": (
                        "Фактические показатели подтверждают положительную юнит-экономику и "
                        "достаточную маржу; модель можно тиражировать в других регионах и странах, "
                        "привлечены инвестиции или виден чёткий путь к безубыточности."
                    ),
                },
            },
        ],
    },
    {
        "name": {
            "zh": "团队能力",
            "en": "Team",
            "ru": "Команда",
        },
        "weight": 15,
        "description": {
            "zh": (
                "考察核心成员的专业背景、分工和投入程度，团队是否具备把项目做成所需的技术、"
                "市场和管理能力。"
            ),
            "en": (
                "The core members' backgrounds, roles and commitment, and whether the team has the "
                "technical, commercial and management skills to deliver the project."
            ),
            "ru": (
                "Профессиональный опыт, распределение ролей и вовлечённость основных участников; "
                "наличие у команды технических, коммерческих и управленческих компетенций для "
                "реализации проекта."
            ),
        },
        "levels": [
            {
                "low": 0,
                "high": 3,
                "title": {"zh": "薄弱", "en": "Weak", "ru": "Слабо"},
                "descriptor": {
                    "zh": (
                        "成员少或分工不清，技术或市场等关键岗位缺人；成员多为兼职，投入难以保证。"
                    ),
                    "en": (
                        "A small team with unclear roles and key positions (technology or sales) "
                        "unfilled; members are mostly part-time and their commitment is uncertain."
                    ),
                    "ru": (
                        "Команда малочисленна, роли не распределены, ключевые позиции (технологии "
                        "или продажи) не закрыты; участники в основном совмещают проект с другой "
                        "работой или учёбой."
                    ),
                },
            },
            {
                "low": 3.5,
                "high": 6,
                "title": {"zh": "一般", "en": "Adequate", "ru": "Средне"},
                "descriptor": {
                    "zh": (
                        "分工基本明确，技术能力与项目匹配，但缺少市场、财务或行业经验；"
                        "有导师或顾问，但参与有限。"
                    ),
                    "en": (
                        "Roles are mostly clear and technical skills fit the project, but sales, "
                        "finance or industry experience is missing; mentors or advisers are named "
                        "but rarely involved."
                    ),
                    "ru": (
                        "Роли в целом распределены, технические компетенции соответствуют проекту, "
                        "но не хватает опыта в продажах, финансах или отрасли; наставники есть, но "
                        "участвуют мало."
                    ),
                },
            },
            {
                "low": 6.5,
                "high": 8,
                "title": {"zh": "良好", "en": "Strong", "ru": "Хорошо"},
                "descriptor": {
                    "zh": (
                        "核心成员全职投入，技术、产品、市场角色齐全且背景对口；行业导师实际参与，"
                        "股权和决策机制清楚。"
                    ),
                    "en": (
                        "Full-time core members cover technology, product and sales with relevant "
                        "backgrounds; industry mentors are actively involved, and equity and "
                        "decision-making are clearly agreed."
                    ),
                    "ru": (
                        "Основные участники работают в проекте на постоянной основе, роли по "
                        "технологиям, продукту и продажам закрыты профильными специалистами; "
                        "отраслевые наставники вовлечены, доли и порядок принятия решений "
                        "согласованы."
                    ),
                },
            },
            {
                "low": 8.5,
                "high": 10,
                "title": {"zh": "突出", "en": "Outstanding", "ru": "Отлично"},
                "descriptor": {
                    "zh": (
                        "团队有成功创业或深厚行业经验，技术与商业能力互补；"
                        "有外籍成员或其他上合组织国家的合作伙伴，能够支撑跨境发展。"
                    ),
                    "en": (
                        "A proven startup or industry track record and complementary technical and "
                        "business skills; international members or partners in other SCO countries "
                        "support cross-border growth."
                    ),
                    "ru": (
                        "У команды есть успешный предпринимательский или отраслевой опыт и "
                        "взаимодополняющие компетенции; иностранные участники или партнёры из "
                        "других стран ШОС обеспечивают выход на зарубежные рынки."
                    ),
                },
            },
        ],
    },
    {
        "name": {
            "zh": "可行性与进展",
            "en": "Feasibility & progress",
            "ru": "Реализуемость и прогресс",
        },
        "weight": 15,
        "description": {
            "zh": (
                "考察技术路线和实施计划是否可行、所需资源是否落实，"
                "以及项目目前的实际进展和里程碑完成情况。"
            ),
            "en": (
                "Whether the technical approach and implementation plan are realistic and "
                "resourced, and what the project has actually achieved against its milestones."
            ),
            "ru": (
                "Реалистичность технического решения и плана реализации, обеспеченность ресурсами, "
                "фактический прогресс проекта и выполнение ключевых этапов."
            ),
        },
        "levels": [
            {
                "low": 0,
                "high": 3,
                "title": {"zh": "薄弱", "en": "Weak", "ru": "Слабо"},
                "descriptor": {
                    "zh": (
                        "仍停留在想法阶段，技术路线存在明显未解决的难点；没有时间计划，"
                        "也未说明所需资金和资源。"
                    ),
                    "en": (
                        "Still at the idea stage with obvious unsolved technical hurdles; no "
                        "timeline and no account of the funding and resources needed."
                    ),
                    "ru": (
                        "Проект остаётся на уровне идеи, ключевые технические проблемы не решены; "
                        "нет графика работ и расчёта необходимых средств и ресурсов."
                    ),
                },
            },
            {
                "low": 3.5,
                "high": 6,
                "title": {"zh": "一般", "en": "Adequate", "ru": "Средне"},
                "descriptor": {
                    "zh": (
                        "技术路线基本可行，已完成初步验证；有分阶段计划，但时间和预算偏乐观，"
                        "资源缺口较大。"
                    ),
                    "en": (
                        "A basically sound technical approach with an initial proof of concept; a "
                        "phased plan exists, but timing and budget are optimistic and resource "
                        "gaps are large."
                    ),
                    "ru": (
                        "Техническое решение в целом реализуемо, концепция прошла первичную "
                        "проверку; есть поэтапный план, но сроки и бюджет рассчитаны слишком "
                        "оптимистично, а нехватка ресурсов значительна."
                    ),
                },
            },
            {
                "low": 6.5,
                "high": 8,
                "title": {"zh": "良好", "en": "Strong", "ru": "Хорошо"},
                "descriptor": {
                    "zh": (
                        "最小可行产品已在真实场景试用，既定里程碑基本按期完成；"
                        "主要风险已识别并有应对措施，场地、设备等资源基本落实。"
                    ),
                    "en": (
                        "An MVP tried out in real conditions and milestones mostly met on time; "
                        "main risks identified with mitigation plans, and premises and equipment "
                        "largely in place."
                    ),
                    "ru": (
                        "MVP опробован в реальных условиях, плановые этапы в основном выполнены в "
                        "срок; основные риски выявлены и есть меры по их снижению, помещения и "
                        "оборудование в целом обеспечены."
                    ),
                },
            },
            {
                "low": 8.5,
                "high": 10,
                "title": {"zh": "突出", "en": "Outstanding", "ru": "Отлично"},
                "descriptor": {
                    "zh": (
                        "产品已定型或小批量生产，已通过必要的检测、认证或取得相关许可；已与企业、"
                        "孵化器或政府部门签署合作协议，后续资金或订单有保障。"
                    ),
                    "en": (
                        "Product finalised or in small-batch production, having passed the "
                        "required testing, certification or licensing; signed agreements with "
                        "companies, incubators or public bodies secure further funding or orders."
                    ),
                    "ru": (
                        "Продукт доведён до серийного образца или выпускается малыми партиями, "
                        "прошёл необходимые испытания и сертификацию; подписанные соглашения с "
                        "компаниями, инкубаторами или госорганами гарантируют финансирование или "
                        "заказы."
                    ),
                },
            },
        ],
    },
    {
        "name": {
            "zh": "社会价值",
            "en": "Social value",
            "ru": "Социальная значимость",
        },
        "weight": 10,
        "description": {
            "zh": (
                "考察项目在就业、民生、环境和可持续发展方面的积极影响，"
                "以及对上合组织国家间科技合作与青年交流的贡献。"
            ),
            "en": (
                "The project's positive effect on jobs, living standards, the environment and "
                "sustainable development, and its contribution to technology cooperation and youth "
                "exchange among SCO countries."
            ),
            "ru": (
                "Положительное влияние проекта на занятость, качество жизни, окружающую среду и "
                "устойчивое развитие, а также вклад в научно-техническое и молодёжное "
                "сотрудничество государств ШОС."
            ),
        },
        "levels": [
            {
                "low": 0,
                "high": 3,
                "title": {"zh": "薄弱", "en": "Weak", "ru": "Слабо"},
                "descriptor": {
                    "zh": (
                        "社会效益只有笼统表述，没有具体受益群体或可衡量的指标；"
                        "未考虑可能带来的环境或社会风险。"
                    ),
                    "en": (
                        "Social benefits are stated only in general terms, with no specific "
                        "beneficiaries or measurable indicators; possible environmental or social "
                        "risks are ignored."
                    ),
                    "ru": (
                        "Социальная польза описана лишь в общих словах, без конкретных "
                        "благополучателей и измеримых показателей; возможные экологические и "
                        "социальные риски не рассмотрены."
                    ),
                },
            },
            {
                "low": 3.5,
                "high": 6,
                "title": {"zh": "一般", "en": "Adequate", "ru": "Средне"},
                "descriptor": {
                    "zh": (
                        "指出了明确的受益群体和所解决的社会问题，但影响范围有限或缺乏数据；"
                        "对环保和可持续发展有初步考虑。"
                    ),
                    "en": (
                        "A clear beneficiary group and social problem are identified, but the "
                        "impact is small or unmeasured; environmental sustainability is considered "
                        "only in outline."
                    ),
                    "ru": (
                        "Названы конкретные благополучатели и решаемая социальная проблема, но "
                        "масштаб влияния невелик или не измерен; экологические аспекты учтены лишь "
                        "в общих чертах."
                    ),
                },
            },
            {
                "low": 6.5,
                "high": 8,
                "title": {"zh": "良好", "en": "Strong", "ru": "Хорошо"},
                "descriptor": {
                    "zh": (
                        "社会或环境效益可衡量（新增就业、节能减排、服务人数等），并有试点数据支撑；"
                        "能带动当地青年就业或服务欠发达地区。"
                    ),
                    "en": (
                        "Measurable social or environmental benefits (jobs created, energy or "
                        "emissions saved, people served) backed by pilot data; creates local jobs "
                        "for young people or serves underserved areas."
                    ),
                    "ru": (
                        "Социальный или экологический эффект измерим (рабочие места, экономия "
                        "энергии, снижение выбросов, охват людей) и подтверждён данными пилота; "
                        "проект даёт работу местной молодёжи или ориентирован на менее развитые "
                        "регионы."
                    ),
                },
            },
            {
                "low": 8.5,
                "high": 10,
                "title": {"zh": "突出", "en": "Outstanding", "ru": "Отлично"},
                "descriptor": {
                    "zh": (
                        "社会效益显著且可持续，模式可在其他上合组织国家复制推广；"
                        "项目推动了跨国技术转移、人才交流或联合研发。"
                    ),
                    "en": (
                        "Significant, lasting social impact with a model ready to be replicated in "
                        "other SCO countries; the project drives cross-border technology transfer, "
                        "talent exchange or joint R&D."
                    ),
                    "ru": (
                        "Значимый и устойчивый социальный эффект, модель готова к тиражированию в "
                        "других странах ШОС; проект способствует трансферу технологий, обмену "
                        "кадрами или совместным НИОКР."
                    ),
                },
            },
        ],
    },
]
