"""UI string tables: one dict per language, identical keys.

Placeholders use :meth:`str.format` syntax (``{wave_id}``). Every key must exist in
every language: ``tests/i18n`` fails when the tables drift apart. Keys are grouped by a
dotted prefix (``report.``, ``col.``, ``status.``, ``reason.``, ``srm.``, ``verdict.``).
"""

from __future__ import annotations

RU: dict[str, str] = {
    "lang.name": "Русский",
    # the wave readout report
    "report.title": "Итоги волны {wave_id}",
    "report.wave": "Волна",
    "report.playbook": "Сценарий",
    "report.segment": "Сегмент",
    "report.starts_on": "Старт",
    "report.days": "Длительность, дней",
    "report.window": "Окно учёта заказов",
    "report.window_value": "{start} — {end} включительно ({days} дн.)",
    "report.control": "Контрольная группа",
    "report.arms": "Группы",
    "report.chart": "Конверсия по группам, {level} ДИ",
    "report.methods": (
        "Конверсия — доля назначенных клиентов, оплативших хотя бы один заказ в окне. "
        "Интервал для конверсии — Уилсона; для разницы с контролем — гибридный "
        "score-интервал Ньюкомба; p-значение — двусторонний z-тест двух долей с "
        "объединённой оценкой, без поправки на множественные сравнения. Выручка — за "
        "вычетом возвратов."
    ),
    "report.generated_by": "Сформировано livebase",
    # table columns
    "col.arm": "Группа",
    "col.n": "Назначено",
    "col.conversions": "Конверсии",
    "col.rate": "Конверсия",
    "col.rate_ci": "{level} ДИ конверсии",
    "col.uplift": "Разница с контролем",
    "col.uplift_ci": "{level} ДИ разницы",
    "col.p_value": "p-значение",
    "col.orders": "Заказы",
    "col.revenue": "Выручка",
    "col.revenue_per_assigned": "Выручка на назначенного",
    "col.aov": "Средний чек",
    "col.status": "Статус",
    "col.verdict": "Вывод",
    # attribution models and touchpoint kinds (livebase.attribution)
    "attribution.model.last_click": "последний клик",
    "attribution.model.first_click": "первый клик",
    "attribution.model.linear": "линейная",
    "attribution.model.position_based": "по позициям 40/40/20",
    "attribution.kind.click": "клик",
    "attribution.kind.view": "показ",
    "attribution.unattributed": "без касаний (прямые и органика)",
    # statuses and reasons
    "status.ok": "есть оценка",
    "status.control": "контроль",
    "status.insufficient_data": "недостаточно данных",
    "reason.empty_arm": "в группу никто не назначен",
    "reason.empty_control": "в контрольную группу никто не назначен",
    "reason.no_conversions": "ни одной конверсии ни в группе, ни в контроле",
    "reason.all_converted": "сконвертировались все участники группы и контроля",
    "reason.single_arm": "для проверки нужно хотя бы две группы",
    "reason.no_customers": "ни одного назначенного клиента",
    "reason.small_expected": "ожидаемое число клиентов в группе меньше 5",
    "reason.no_history": (
        "за длину волны до даты расчёта в этом пороге сна никого не было: "
        "базовую конверсию для проверки мощности оценить не по чему"
    ),
    "reason.baseline_degenerate": (
        "историческая конверсия порога — 0 % или 100 %: мощность не вычисляется"
    ),
    # pre-launch power check of a wave (experiments.power)
    "power.ok": (
        "{arm}: {n} против {n_control} в контроле; чтобы заметить {mde} при базовой "
        "конверсии {baseline} с мощностью {target} при α = {alpha}, нужно {required} "
        "(и {required_control} в контроле): достаточно; мощность {power}, минимальный "
        "заметный эффект при таком размере — {detectable}"
    ),
    "power.underpowered": (
        "{arm}: недостаточная мощность: {n} против {n_control} в контроле; чтобы заметить "
        "{mde} при базовой конверсии {baseline} с мощностью {target} при α = {alpha}, нужно "
        "{required} (и {required_control} в контроле); мощность всего {power}, "
        "минимальный заметный эффект при таком размере — {detectable}"
    ),
    "power.insufficient": "{arm}: мощность не проверена: {reason}",
    "power.undetectable": "никакой (даже конверсия 100 % не отличима)",
    "reason.too_few_customers": "в группе меньше двух клиентов",
    "reason.no_variance": "все значения одинаковы: разброса нет",
    "reason.too_few_payers": "меньше двух платящих клиентов",
    "reason.no_answers": "нет ни одного ответа NPS",
    "reason.too_few_answers": "меньше 30 ответов NPS: нормальное приближение ненадёжно",
    "reason.no_orders": "в группе нет ни одного заказа",
    "reason.no_control_orders": "в контрольной группе нет ни одного заказа",
    "reason.zero_control_ltv": "LTV контрольной группы равен 0: относительный прирост не определён",
    "reason.horizon_not_reached": "данные ещё не дошли до конца этого горизонта",
    "reason.no_members": "в когорте нет клиентов",
    "reason.no_buyers": "в когорте никто не покупал",
    "reason.no_purchases": "в этом окне нет покупок: значения на покупку не определены",
    "reason.no_active_members": "в этом окне никто из когорты не покупал и не учился",
    "reason.no_payers": "в этом окне никто из когорты не покупал",
    "reason.no_acquisition_costs": "для этой когорты не записаны затраты на привлечение",
    "reason.costs_not_attributable": "затраты на привлечение не учитываются по этому признаку",
    "reason.payback_not_reached": "валовая маржа на клиента ещё не достигла CAC",
    # cohorts and unit economics (metrics.cohorts)
    "cohort.title": "Когорты: {kind}",
    "cohort.kind.signup_month": "месяц регистрации",
    "cohort.kind.first_purchase_month": "месяц первой покупки",
    "cohort.kind.first_channel": "канал первого лида",
    "cohort.kind.age_band": "возраст ребёнка при первой покупке",
    "cohort.anchor.signup": "дни и месяцы считаются от регистрации",
    "cohort.anchor.first_purchase": "дни и месяцы считаются от первой покупки",
    "cohort.cohort": "Когорта",
    "cohort.members": "Клиентов",
    "cohort.members_reached": "Дошли до горизонта",
    "cohort.unknown": "не указано",
    "cohort.other": "другое",
    "cohort.status.partial": (
        "по {reached} из {members} клиентов: остальные ещё не дошли до горизонта"
    ),
    "cohort.metric.retention_d7": "Удержание D7",
    "cohort.metric.retention_d30": "Удержание D30",
    "cohort.metric.retention_d60": "Удержание D60",
    "cohort.metric.repeat_90": "Повторная покупка 90 дн.",
    "cohort.metric.repeat_180": "Повторная покупка 180 дн.",
    "cohort.metric.refund_30": "Доля возвратов 30 дн.",
    "cohort.metric.refund_60": "Доля возвратов 60 дн.",
    "cohort.metric.refund_90": "Доля возвратов 90 дн.",
    "cohort.metric.ltv_30": "LTV 30 дн.",
    "cohort.metric.ltv_90": "LTV 90 дн.",
    "cohort.metric.ltv_180": "LTV 180 дн.",
    "cohort.metric.ltv_6m": "LTV 6 мес.",
    "cohort.metric.arpu_90": "ARPU 90 дн.",
    "cohort.metric.arppu_90": "ARPPU 90 дн.",
    "cohort.metric.aov_90": "Средний чек 90 дн.",
    "cohort.metric.churn_180": "Отток 180 дн.",
    "cohort.metric.cac": "CAC",
    "cohort.metric.cac_payback": "Окупаемость CAC, мес.",
    "reason.empty_level": "на эту дату ни у кого нет такого уровня риска",
    "reason.no_churn": "никто не ушёл: подъём и полнота не определены",
    "reason.never_fired": "на датах бэктеста эта причина риска не сработала ни разу",
    "risk.reason.rhythm_2x": "не покупает вдвое дольше своего обычного интервала",
    "risk.reason.rhythm_1_5x": "не покупает в полтора раза дольше своего обычного интервала",
    "risk.reason.activity_drop": "учится заметно меньше, чем обычно",
    "risk.reason.recency_top_segment": "дольше всех в своём сегменте без покупки (верхние 20 %)",
    "risk.reason.autopay_cancelled": "отменил автоплатёж",
    "risk.reason.refund_requested": "запросил возврат",
    "risk.reason.invoice_pending": "не оплатил выставленный счёт",
    "risk.reason.downgrade_requested": "попросил понизить тариф",
    "risk.reason.nps_negative": "поставил низкую оценку в NPS (0–6)",
    "risk.reason.no_lessons_7": "7+ дней без занятий",
    "risk.reason.no_lessons_14": "14+ дней без занятий",
    "risk.reason.no_lessons_21": "21+ день без занятий",
    "reason.no_newcomers": "в этом периоде никто не сделал первую покупку",
    "reason.no_activity_data": "в базе нет событий активности до этой даты",
    "reason.no_active_customers": "в этом месяце никто не покупал и не учился",
    "reason.no_ticket_data": "обращения в поддержку не охватывают этот месяц",
    "value.not_available": "—",
    "value.insufficient_short": "н/д",
    # the base report (reports.base, reports.base_views)
    "base.title": "Отчёт о базе: {school}",
    "base.as_of": "на {date}",
    "base.school": "Школа",
    "base.date": "Дата среза",
    "base.contents": "Содержание",
    "base.legend": (
        "«н/д» — недостаточно данных (почему — в примечании под таблицей), «—» — не "
        "применимо, «*» — число посчитано не по всем клиентам (см. сноску). Число, которое "
        "нельзя посчитать, никогда не показывается нулём."
    ),
    "base.note": "{column} — {reason}: {rows}",
    "base.note_everywhere": "{column} — {reason}",
    "base.section.risk": "Риск оттока",
    "base.section.cohorts": "Когорты по месяцу первой покупки",
    "base.section.activation": "Активация новичков",
    "base.section.nps": "NPS по сегментам",
    "base.section.support": "Нагрузка на поддержку",
    "base.missing.no_segments": (
        "нет RFM-сегментов на {date}: сначала выполните `livebase segment --as-of {date}`"
    ),
    "base.missing.other": "не удалось посчитать: {message}",
    "base.risk_built": (
        "Сохранённых оценок риска на эту дату не было: они посчитаны и сохранены для этого отчёта."
    ),
    "risk.title": "Риск оттока на {date}",
    "risk.scored": "Оценено клиентов: {customers} (все клиенты с покупками на эту дату).",
    "risk.reasons": "Какие причины риска сработали",
    "risk.top": "Клиенты с наибольшим риском (первые {n})",
    "risk.level.low": "низкий",
    "risk.level.medium": "средний",
    "risk.level.high": "высокий",
    "risk.col.level": "Уровень",
    "risk.col.points_range": "Баллы",
    "risk.col.customers": "Клиентов",
    "risk.col.share": "Доля оценённых",
    "risk.col.reason": "Причина",
    "risk.col.points": "Баллы",
    "risk.col.customer": "Клиент",
    "risk.col.segment": "Сегмент",
    "risk.col.reasons": "Причины (баллы)",
    "risk.no_reasons": "ни одна причина риска не сработала",
    "risk.no_customers": "в оценке нет ни одного клиента",
    "risk.none_fired": "причин нет",
    "risk.sources": (
        "Обычный интервал между покупками: свой — у {own}, по сегменту — у {segment}, по "
        "всей базе — у {all}, не определён — у {none}; изменение активности не оценено у "
        "{without_z} (мало недель с занятиями)."
    ),
    "risk.detail.gap": "{gap} дн. без покупки, обычно {median}",
    "risk.detail.activity": "{recent} занятия в неделю, обычно {baseline}",
    "risk.detail.days": "{days} дн.",
    "risk.detail.score": "оценка {score}",
    "risk.detail.on": "{date}",
    "risk.bt.title": "Проверка уровней риска на истории: базовый отток",
    "risk.bt.caption": "Риск посчитан на даты {dates}; данные есть по {until}.",
    "risk.bt.caption_no_data": "Риск посчитан на даты {dates}; в данных нет заказов.",
    "risk.bt.date": "Дата оценки",
    "risk.bt.pooled": "все даты вместе",
    "risk.bt.churn_within": "Отток за {days} дн.",
    "risk.bt.levels": "Уровни риска и отток за {days} дн. (все даты вместе)",
    "risk.bt.levels_caption": "Базовый отток за {days} дн.: {rate}.",
    "risk.bt.reasons": "Причины риска на истории (все даты вместе)",
    "risk.bt.never_fired": "Ни разу не сработали: {reasons}.",
    "risk.bt.col.churned": "Ушли",
    "risk.bt.col.churn_rate": "Доля ушедших",
    "risk.bt.col.lift": "Подъём",
    "risk.bt.col.precision": "Точность «не ниже»",
    "risk.bt.col.recall": "Полнота «не ниже»",
    "risk.bt.col.lift_within": "Подъём, {days} дн.",
    "cohort.caption": "Срез на {date}; {anchor}.",
    "cohort.without_anchor.signup": "Без когорты (нет даты регистрации): {n}.",
    "cohort.without_anchor.first_purchase": "Без когорты (ещё нет покупки): {n}.",
    "cohort.retention": "удержание",
    "cohort.ltv": "LTV по когортам: выручка за вычетом возвратов на клиента",
    "cohort.repeat": "Повторные покупки, возвраты и отток по когортам",
    "cohort.money": "Выручка на клиента и окупаемость привлечения по когортам",
    "cohort.margin": "Окупаемость CAC считается по валовой марже {gm}.",
    "cohort.months_value": "{n} мес.",
    "cohort.none": "нет ни одной когорты",
    "cohort.partial_line": (
        "* {cohort}: {cells} — остальные клиенты когорты ещё не дошли до горизонта."
    ),
    "cohort.partial_cell": "{metric} по {reached} из {members}",
    "activation.title": "Активация новичков с первой покупкой с {start} по {end}",
    "activation.by_cohort": "Активация по месяцам первой покупки",
    "activation.criteria": "Активирован — за окно после первой покупки: {criteria}.",
    "activation.criterion.lessons_finished": "не меньше {n} завершённых уроков",
    "activation.criterion.active_days": "не меньше {n} дней с занятиями",
    "activation.criterion.reviewed_homework": "не меньше {n} проверенных домашних заданий",
    "activation.combine.all": " и ",
    "activation.combine.any": " или ",
    "activation.data_until": "Данные об активности есть по {activity}, о заказах — по {orders}.",
    "activation.no_data": "нет данных",
    "activation.median": "Медиана дней до первого подтверждённого результата: {days}.",
    "activation.median_none": (
        "Медиана дней до первого подтверждённого результата: недостаточно данных."
    ),
    "activation.partial": "* посчитано только по новичкам, чьё окно уже завершилось.",
    "activation.metric.activated": "Активированы за {days} дн.",
    "activation.metric.result": "Первый подтверждённый результат за {days} дн.",
    "activation.metric.next_purchase": "Следующая покупка за {days} дн.",
    "activation.col.metric": "Показатель",
    "activation.col.newcomers": "Новичков",
    "activation.col.eligible": "Окно завершилось",
    "activation.col.reached": "Достигли",
    "activation.col.share": "Доля",
    "activation.col.ci": "{level} ДИ",
    "activation.col.cohort": "Месяц первой покупки",
    "nps.title.segment": "NPS по сегментам: ответы с {since} по {until}",
    "nps.title.cohort": "NPS по месяцам первой покупки: ответы с {since} по {until}",
    "nps.col.segment": "Сегмент",
    "nps.col.cohort": "Месяц первой покупки",
    "nps.col.answers": "Ответов",
    "nps.col.promoters": "Промоутеры (9–10)",
    "nps.col.passives": "Нейтралы (7–8)",
    "nps.col.detractors": "Критики (0–6)",
    "nps.col.nps": "NPS",
    "nps.col.ci": "{level} ДИ",
    "nps.total": "Все ответы",
    "nps.no_segment": "без сегмента",
    "nps.no_cohort": "без покупки",
    "nps.no_answers": "за этот период нет ни одного ответа NPS",
    "support.title": "Нагрузка на поддержку по месяцам",
    "support.col.month": "Месяц",
    "support.col.tickets": "Обращений",
    "support.col.active": "Активных клиентов",
    "support.col.per_1000": "На 1 000 активных",
    "support.partial": "* месяц ещё не закончился: посчитан до даты отчёта включительно.",
    "support.none": "нет ни одного месяца",
    "explain.risk_points": (
        "Баллы — сумма баллов всех сработавших у клиента причин риска: чем больше баллов, "
        "тем вероятнее, что клиент уйдёт."
    ),
    "explain.risk_level": (
        "Уровень: низкий — меньше {medium} баллов, средний — от {medium}, высокий — от {high}."
    ),
    "explain.risk_share": (
        "Доля оценённых — часть клиентов с покупками (денежный RFM на эту дату) в этом уровне."
    ),
    "explain.risk_reason_count": (
        "Клиентов — у скольких клиентов сработала причина; у клиента их может быть "
        "несколько, поэтому доли в сумме больше 100 %."
    ),
    "explain.risk_top": (
        "Клиенты с наибольшей суммой баллов и причины с их баллами: с них стоит начинать "
        "удерживающие звонки и письма."
    ),
    "explain.bt_base": (
        "Отток за N дн. — доля клиентов, оценённых на эту дату, которые ничего не купили за "
        "N дней после неё."
    ),
    "explain.bt_churn_rate": "Доля ушедших — то же для клиентов одного уровня риска.",
    "explain.bt_lift": (
        "Подъём — во сколько раз отток уровня выше базового: больше 1 — уровень "
        "действительно рискованнее среднего клиента."
    ),
    "explain.bt_precision": (
        "Точность «не ниже» — какая доля клиентов этого уровня и выше действительно ушла."
    ),
    "explain.bt_recall": (
        "Полнота «не ниже» — какую долю всех ушедших клиентов поймали уровни не ниже этого."
    ),
    "explain.bt_reason": (
        "Для каждой причины: доля ушедших среди клиентов, у которых она сработала (в скобках "
        "— сколько раз она сработала на датах, где горизонт пройден), и подъём над базовым "
        "оттоком — по подъёму настраивают баллы причины."
    ),
    "explain.cohort_members": "Клиентов — сколько клиентов в когорте ({kind}).",
    "explain.cohort_retention": (
        "Удержание Dn — доля клиентов когорты, которые платили или учились в дни с n-го по "
        "n+6-й от начала (D7 — вторая неделя, D30 — пятая, D60 — девятая)."
    ),
    "explain.cohort_heat": "Чем темнее ячейка, тем выше удержание.",
    "explain.cohort_ltv": (
        "LTV N — выручка за вычетом возвратов за первые N дней (6 мес. — за шесть "
        "календарных месяцев) на одного клиента когорты, включая тех, кто больше не платил."
    ),
    "explain.cohort_repeat": (
        "Повторная покупка N — доля купивших, кто сделал ещё одну покупку в течение N дней "
        "после первой."
    ),
    "explain.cohort_refund": (
        "Доля возвратов N — доля покупок первых N дней, по которым был возврат."
    ),
    "explain.cohort_churn": (
        "Отток 180 дн. — доля клиентов, которые за 180 дней не купили ничего нового и "
        "занимались меньше двух раз."
    ),
    "explain.cohort_arpu": (
        "ARPU 90 дн. — выручка за 90 дней на клиента, который в эти дни платил или учился."
    ),
    "explain.cohort_arppu": "ARPPU 90 дн. — выручка за 90 дней на клиента, который платил.",
    "explain.cohort_aov": "Средний чек 90 дн. — выручка за 90 дней, делённая на число покупок.",
    "explain.cohort_cac": (
        "CAC — затраты на привлечение, отнесённые к когорте, делённые на число её клиентов."
    ),
    "explain.cohort_payback": (
        "Окупаемость CAC — через сколько полных месяцев валовая маржа на клиента догоняет CAC."
    ),
    "explain.cohort_partial": (
        "Звёздочка — число посчитано только по клиентам, для которых горизонт уже прошёл; "
        "остальные не усредняются с ними."
    ),
    "explain.activation_newcomers": "Новичков — клиентов, сделавших первую покупку в периоде.",
    "explain.activation_eligible": (
        "Окно завершилось — у скольких новичков данные покрывают всё окно; остальные не "
        "считаются ни активированными, ни неактивированными."
    ),
    "explain.activation_share": (
        "Доля — достигшие среди новичков с завершённым окном; ДИ — интервал, в котором с "
        "уверенностью {level} лежит настоящая доля."
    ),
    "explain.activation_activated": (
        "Активирован — выполнил в окне условие активации, указанное под таблицей."
    ),
    "explain.activation_result": (
        "Первый подтверждённый результат — первая проверенная домашняя работа."
    ),
    "explain.activation_next": (
        "Следующая покупка — продление или другой продукт в первом цикле; второй продукт "
        "в день первой покупки — это комплект, а не продление."
    ),
    "explain.activation_by_cohort": (
        "По месяцам — те же доли для новичков каждого месяца: падение доли у свежих месяцев "
        "показывает, что онбординг стал хуже."
    ),
    "explain.nps_answers_counted": (
        "Ответов — сколько клиентов ответили за период; от каждого берётся последний ответ."
    ),
    "explain.nps_score": (
        "NPS — доля промоутеров (9–10) минус доля критиков (0–6), в пунктах от −100 до 100."
    ),
    "explain.nps_ci": (
        "ДИ — интервал, в котором с уверенностью {level} лежит настоящий NPS; меньше чем по "
        "30 ответам он не строится."
    ),
    "explain.support_active": "Активные клиенты — покупали или учились в этом месяце.",
    "explain.support_rate": (
        "На 1 000 активных — обращения в поддержку за месяц на 1 000 активных клиентов."
    ),
    "explain.support_coverage": (
        "Месяцы вне периода выгруженных обращений не оцениваются: нет выгрузки — не значит "
        "нет обращений."
    ),
    # sample ratio mismatch
    "srm.title": "Соотношение групп (SRM)",
    "srm.ok": "соответствует плану (χ² = {chi2}, {p})",
    "srm.mismatch": (
        "НЕ соответствует плану (χ² = {chi2}, {p}): проверьте назначение, результаты ненадёжны"
    ),
    "srm.insufficient_data": "недостаточно данных: {reason}",
    "srm.not_checked": "не проверялось: плановые доли групп не заданы",
    "srm.planned": "Ожидалось по плану",
    "srm.observed": "Назначено",
    # verdicts
    "verdict.control": "{arm}: контроль, конверсия {rate}, {level} ДИ {ci}",
    "verdict.test": "{arm}: {uplift} к контролю, {level} ДИ {ci}; {p}, {significance}",
    "verdict.insufficient": "{arm}: недостаточно данных: {reason}",
    "verdict.significant": "значимо при α = {alpha}",
    "verdict.not_significant": "не значимо при α = {alpha}",
    # the readout's further tables (reports.cells sections)
    "report.money": "Выручка и средний чек",
    "report.economics": "Инкрементальная экономика (валовая маржа {gm})",
    "report.economics_caption": (
        "Заказ = платящий клиент. Маркетинговые затраты волны разделены между группами по "
        "числу клиентов с касаниями (если касаний нет — по числу назначенных, кроме holdout)."
    ),
    "report.nps": "NPS по группам",
    "report.horizon": "Долгосрочные метрики",
    "report.horizon_caption": (
        "Горизонты считаются от старта волны {start}; данные есть по {until} включительно."
    ),
    "report.horizon_caption_no_data": (
        "Горизонты считаются от старта волны {start}; в данных нет ни одного заказа."
    ),
    "report.aa": "A/A-проверка",
    "report.notes": "Почему нет числа",
    "report.explain": "Как читать",
    "report.note": "{arm} — {columns}: {reason}",
    "col.p_holm": "p (Холм)",
    "col.p_bh": "p (БХ)",
    "col.detectable": "Мин. заметный эффект",
    "col.diff_ci": "Разница с контролем [{level} ДИ]",
    "col.arppu_ci": "ARPPU [{level} ДИ]",
    "col.payers": "Оплатили",
    "col.baseline_orders": "Ожидалось без волны",
    "col.incremental_orders": "Доп. заказы [{level} ДИ]",
    "col.aov_per_payer": "Средний чек на платящего",
    "col.incremental_revenue": "Доп. выручка",
    "col.marketing_cost": "Маркетинговые затраты",
    "col.incremental_margin": "Доп. валовая маржа",
    "col.nps_answers": "Ответов",
    "col.nps_ci": "NPS [{level} ДИ]",
    "col.repeat_90": "Повторные покупки 90 дн.",
    "col.refund_90": "Возвраты 90 дн.",
    "col.churn_180": "Отток 180 дн.",
    "col.vs_control_ci": "к контролю [{level} ДИ]",
    "col.ltv_180": "LTV 180 дн.",
    "col.ltv_uplift": "Прирост LTV",
    "value.available_from": "будет с {date}",
    "horizon.not_reached": (
        "{metrics}: недостаточно данных: горизонт ещё не пройден (данные есть по {until}); "
        "будет с {date}"
    ),
    "horizon.not_reached_no_data": (
        "{metrics}: недостаточно данных: горизонт ещё не пройден (в данных нет заказов); "
        "будет с {date}"
    ),
    "aa.passed": (
        "пройдена: группы получили одно и то же, и ни одна не отличается от контроля после "
        "поправки Холма при α = {alpha}, соотношение групп не нарушено. Назначение и подсчёт "
        "работают — результатам других волн можно доверять."
    ),
    "aa.failed": (
        "НЕ пройдена: {why}. Группы получили одно и то же, поэтому разница означает ошибку "
        "в назначении или подсчёте — найдите её, прежде чем доверять результатам других волн."
    ),
    "aa.failed_arms": "отличие от контроля после поправки Холма при α = {alpha}: {arms}",
    "aa.failed_srm": "соотношение групп не соответствует плану",
    "aa.insufficient": (
        "недостаточно данных: ни одну группу не удалось сравнить с контролем, поэтому "
        "назначение и подсчёт пока не проверены."
    ),
    "explain.rate": (
        "Конверсия — доля назначенных в группу клиентов, оплативших хотя бы один заказ в окне; "
        "интервал — где с уверенностью {level} лежит истинная конверсия."
    ),
    "explain.uplift": (
        "Разница с контролем — на сколько процентных пунктов больше клиентов этой группы "
        "заплатили, чем в контрольной; интервал — где с уверенностью {level} лежит истинная "
        "разница (если он захватывает 0, эффект не доказан)."
    ),
    "explain.p_value": (
        "p-значение — как часто случайно получалась бы такая же или большая разница, если бы "
        "группа на самом деле не отличалась от контроля; меньше {alpha} — разница значима."
    ),
    "explain.p_holm": (
        "p (Холм) — p-значение с поправкой на то, что {family}: чем больше сравнений, тем "
        "легче случайная «значимость»; решение принимайте по нему."
    ),
    "explain.family_arms": "с контролем сравнивается несколько групп",
    "explain.family_arms_and_metrics": (
        "с контролем сравнивается несколько групп по двум метрикам (конверсия и выручка)"
    ),
    "explain.p_bh": (
        "p (БХ) — поправка Бенджамини–Хохберга: мягче Холма, ограничивает долю ложных "
        "находок среди значимых результатов."
    ),
    "explain.detectable": (
        "Мин. заметный эффект — самая маленькая разница с контролем, которую группа такого "
        "размера заметила бы с вероятностью {power}; если ожидаемый эффект меньше, "
        "отсутствие значимости ничего не доказывает."
    ),
    "explain.revenue_per_assigned": (
        "Выручка на назначенного — выручка группы за окно (за вычетом возвратов), делённая "
        "на всех назначенных клиентов, включая не купивших."
    ),
    "explain.aov": "Средний чек — выручка группы, делённая на число её заказов.",
    "explain.revenue_diff": (
        "Разница с контролем — на сколько больше выручки принёс один назначенный клиент "
        "группы, чем клиент контроля; интервал (тест Уэлча) — где с уверенностью {level} "
        "лежит истинная разница, p — её значимость."
    ),
    "explain.revenue_adjusted": (
        "p (Холм) и p (БХ) выручки — с поправкой на все сравнения с контролем по конверсии "
        "и по выручке."
    ),
    "explain.arppu": (
        "ARPPU — выручка на одного платящего клиента; интервал — бутстреп (BCa) с "
        "фиксированным зерном: где с уверенностью {level} лежит истинное значение."
    ),
    "explain.payers": "Оплатили — сколько клиентов группы заплатили в окне.",
    "explain.baseline_orders": (
        "Ожидалось без волны — сколько клиентов группы заплатили бы и так: конверсия "
        "контроля × число назначенных в группу."
    ),
    "explain.incremental_orders": (
        "Доп. заказы — оплатили минус ожидалось без волны; интервал — где с уверенностью "
        "{level} лежит истинное число."
    ),
    "explain.aov_per_payer": (
        "Средний чек на платящего — выручка группы, делённая на число платящих клиентов: "
        "столько приносит один дополнительный заказ."
    ),
    "explain.incremental_revenue": "Доп. выручка — доп. заказы × средний чек на платящего.",
    "explain.marketing_cost": "Маркетинговые затраты — доля затрат волны, пришедшаяся на группу.",
    "explain.incremental_margin": (
        "Доп. валовая маржа — доп. выручка × валовая маржа {gm} минус маркетинговые затраты: "
        "сколько волна заработала сверх того, что было бы и без неё."
    ),
    "explain.nps_answers": (
        "Ответов — сколько клиентов группы ответили на опрос NPS (у ответивших дважды "
        "считается последний ответ)."
    ),
    "explain.nps": (
        "NPS — доля промоутеров (оценки 9–10) минус доля критиков (0–6), в пунктах от −100 "
        "до 100; интервал — где с уверенностью {level} лежит истинный NPS (меньше чем по "
        "30 ответам не считается)."
    ),
    "explain.nps_diff": (
        "Разница с контролем — на сколько пунктов NPS группы выше, чем у контроля; интервал — "
        "где с уверенностью {level} лежит истинная разница, p — её значимость."
    ),
    "explain.repeat_90": (
        "Повторные покупки 90 дн. — доля назначенных клиентов, сделавших хотя бы две покупки "
        "за 90 дней от старта волны."
    ),
    "explain.refund_90": (
        "Возвраты 90 дн. — доля оплаченных за 90 дней заказов группы, по которым был возврат."
    ),
    "explain.churn_180": (
        "Отток 180 дн. — доля назначенных клиентов, которые за 180 дней ничего не купили и "
        "почти не учились (меньше двух учебных активностей)."
    ),
    "explain.vs_control": (
        "К контролю — разница с контрольной группой в процентных пунктах; интервал — где с "
        "уверенностью {level} лежит истинная разница; у возвратов и оттока минус — это хорошо."
    ),
    "explain.ltv_180": (
        "LTV 180 дн. — выручка (за вычетом возвратов) за 180 дней на одного назначенного "
        "клиента, без дисконтирования."
    ),
    "explain.ltv_uplift": (
        "Прирост LTV — на сколько процентов LTV группы выше, чем у контроля; p — значимость "
        "разницы (тест Уэлча)."
    ),
    # terminal summaries of the CLI steps
    "seg.title": "Сегменты на {date}",
    "seg.segment": "Сегмент",
    "seg.customers": "Клиентов",
    "seg.share": "Доля базы",
    "seg.revenue_share": "Доля выручки",
    "seg.mean_r": "Среднее R, дн.",
    "seg.mean_f": "Среднее F",
    "seg.mean_m": "Среднее M",
    "seg.behavioural": "поведенческий RFM",
    "seg.monetary": "денежный RFM",
    "seg.scale_note": "Шкала",
    "seg.top": (
        "Топ-сегмент (R ≤ 45 дн., F ≥ 3 или F ≥ 2 с крупным вторым чеком, выручка ≥ P80 или "
        "средний чек ≥ P75): {n} клиентов ({share}), {revenue} выручки за окно"
    ),
    "seg.crosstab": "Денежные сегменты (строки) × поведенческие (столбцы)",
    "seg.crosstab_corner": "денежный \\ поведенческий",
    "import.summary": (
        "{file} ({preset} → {target}): строк {rows_in} = загружено {loaded} + отклонено "
        "{rejected}; новых {new}, обновлено {updated}"
    ),
    "import.merged": "; объединено профилей: {merges}",
    "import.again": "{file}: уже импортирован (импорт №{import_id}); ничего не изменилось",
    "plan.summary": "волна {wave_id}: старт {date}, {days} дн.; назначено: {arms}",
    "plan.excluded": "исключены: {reasons}",
    "plan.kept": "уже были в волне и сохранили группу: {n}",
    "plan.strata": "страт (RFM-дециль × канал первого лида): {n}",
    "plan.baseline": (
        "базовая конверсия порога {tier} по истории: {rate} ({converted} из {customers}, "
        "были в пороге {since} и купили за {days} дн.)"
    ),
    "plan.baseline_missing": "базовая конверсия порога {tier} не оценена: {reason}",
    "plan.underpowered": (
        "внимание: волна недостаточно мощная для заданного эффекта — результат может "
        "оказаться «не значим», даже если эффект есть; увеличьте группы или эффект"
    ),
    "power.cli_n": (
        "чтобы заметить +{mde} при базовой конверсии {baseline} (α = {alpha}, мощность "
        "{power}), нужно {n} клиентов в каждой группе ({total} на тест и контроль)"
    ),
    "power.cli_mde": (
        "при {n} клиентах в группе и базовой конверсии {baseline} (α = {alpha}) "
        "с мощностью {power} заметен эффект от +{mde}"
    ),
    "demo.done": "Готово. Отчёт: {path}",
    "demo.base_report": "Отчёт о базе (риск, когорты, активация, NPS): {path}",
    "demo.report": "Отчёт: {html} (и {xlsx})",
    "simulate.parquet.written": "Канонические таблицы записаны в {folder} (данные по {as_of})",
    "simulate.parquet.rows": "  {table} — строк: {rows}",
    "thr.title": "Порог засыпания: проверка на истории до {date}",
    "thr.intervals": (
        "Интервалы между покупками: {n}; медиана {median} дн., P75 {p75} дн., P90 {p90} дн."
    ),
    "thr.suggested": "Рекомендуемое окно засыпания (1,5–2 медианы): {lo}–{hi} дн.",
    "thr.curve_day": (
        "Кривая повторных покупок опускается ниже естественного уровня ({level} за {bin} дн.) "
        "на {day}-й день тишины"
    ),
    "thr.curve": "Кривая повторных покупок по дням тишины (горизонт {horizon} дн.)",
    "thr.day": "День тишины",
    "thr.silent": "Молчали столько",
    "thr.return_bin": "Вернулись за {bin} дн.",
    "thr.return_horizon": "Вернулись за {horizon} дн.",
    "thr.backtest": "Бэктест окон: «не купит за {horizon} дн.», {cutoffs} срезов",
    "thr.window": "Окно, дн.",
    "thr.flagged": "Помечено",
    "thr.precision": "Точность",
    "thr.recall": "Полнота",
    "thr.f1": "F1",
    "thr.specificity": "Специфичность",
    "thr.balanced": "Сбаланс. точность",
    "thr.recommended": "Рекомендация: окно {days} дн. (лучшая сбалансированная точность)",
    "temp.title": "Температура спящих на {date}",
    "temp.tier": "Порог R",
    "temp.temperature": "Температура",
    "temp.share": "Доля порога",
    "temp.incomplete": "Без части данных",
    "temp.warm": "тёплый",
    "temp.cooling": "остывает",
    "temp.cold": "холодный",
    "move.new": "новые",
    "move.gone": "выбыли",
    "move.share_title": "Доля базы по сегментам",
    "move.revenue_title": "Доля выручки за 12 мес. по сегментам",
    "move.matrix": "Переходы между сегментами: {start} → {end}",
    "move.corner": "было \\ стало",
    "move.retention": "Удержание внутри сегмента",
    "move.horizon": "Через, мес.",
    "move.cohort": "Было в сегменте",
    "move.still": "Остались в сегменте",
    "move.bought": "Купили снова",
    # wave exports: call lists and the webinar calendar
    "export.col.customer_id": "ID клиента",
    "export.col.name": "Имя",
    "export.col.phone": "Телефон",
    "export.col.call_on": "Дата звонка",
    "export.col.reason": "Причина звонка",
    "export.col.segment": "Сегмент",
    "export.col.last_purchase": "Последняя покупка",
    "export.call.planned": "звонок по плану волны {wave_id}",
    "export.call.clicked": "переход по ссылке из {via} волны {date}",
    "export.call.no_interest": "не было переходов по сообщениям волны",
    "export.call.registered": "регистрация на вебинар {date}",
    "export.call.email_unopened": "не открыто письмо волны от {date}",
    "export.call.email_unopened_undated": "не открыто письмо волны",
    "export.call.offer": "{reason} — предложение: {offer}",
    "export.via.email": "письма",
    "export.via.messenger": "сообщения в мессенджере",
    "export.via.sms": "SMS",
    "export.via.push": "push-уведомления",
    "export.via.retargeting": "рекламы",
    "export.via.call": "звонка",
    "export.via.service": "служебного сообщения",
    "export.ics.description": "Вебинар «{title}», {minutes} мин.",
    "export.ics.alarm": "Скоро начало: {title}",
    # guardrails (issue 6)
    "guard.no_consent": "нет согласия на этот канал и цель",
    "guard.consent_withdrawn": "согласие отозвано",
    "guard.unsubscribed": "отписался в этом канале",
    "guard.complained": "пожаловался в этом канале",
    "guard.hard_bounce": "адрес недоставляем (hard bounce)",
    "guard.no_contact": "нет адреса или телефона для канала",
    "guard.active_buyer": "активный покупатель: реактивация ему не нужна",
    "guard.open_deal": "открытая сделка в отделе продаж",
    "guard.hot_lead": "горячий лид: недавний счёт или клик по промо",
    "guard.cap_day": "лимит касаний в день",
    "guard.cap_week": "лимит касаний за 7 дней",
    "guard.cap_channel_week": "лимит канала за 7 дней",
    "guard.cap_retargeting_day": "лимит показов ретаргетинга в день",
    "guard.silence_after_purchase": "тишина от промо после покупки",
    "guard.offer_cooldown": "уже было выгодное предложение за последние 30 дней",
    "guard.discount_cooldown": "уже было скидочное окно за последние 60 дней",
    "guard.discount_budget": "исчерпан бюджет скидок волны",
    "guard.no_personalisation_consent": "нет согласия на персонализацию: отправлен общий паттерн",
    "guard.no_parental_consent": "нет согласия родителя на данные ребёнка: отправлен общий паттерн",
    "guard.cascade_no_channel": "каскад: нет согласия ни на один второй канал",
    "guard.send_time_weekday": "сегмент получает сообщения только в будни",
    "guard.past_deadline": "после дедлайна или последнего дня волны",
    "guard.auto_throttle": "автоостановка волны: жалобы или отписки выше порога",
    "action.excluded": "не в волне",
    "action.removed": "удалено",
    "action.moved": "перенесено",
    "action.changed": "изменено",
    "why.title": "Клиент {customer} в волне {wave} ({playbook}, план на {date})",
    "why.segment": "Сегмент: {segment} (правило: {rule})",
    "why.no_segment": "На дату плана клиента нет в сегментах",
    "why.arm": "Группа: {arm} (страта {stratum})",
    "why.not_in_wave": "Клиент не попал в волну: {reason} ({detail})",
    "why.not_in_audience": "Клиент не входит в аудиторию этой волны",
    "why.touches": "Запланированные касания",
    "why.decisions": "Решения ограничителей",
    "why.col.no": "№",
    "why.col.when": "когда (UTC)",
    "why.col.channel": "канал",
    "why.col.pattern": "паттерн",
    "why.col.offer": "оффер",
    "why.col.condition": "условие",
    "why.col.action": "действие",
    "why.col.reason": "причина",
    "why.col.detail": "подробно",
    "why.col.moved_to": "перенесено на",
    "why.none": "нет",
    "plan.playbook": "Сценарий {playbook}: касаний {n} ({channels}); дедлайн {deadline}",
    "plan.decisions": "Ограничители: {decisions}",
    "export.done": "Выгрузка волны {wave}: {n} файлов в {folder}",
    "export.left_out": "Не выгружено (причина: число касаний): {reasons}",
    "export.pending": "Условных касаний ждут условия: {n}",
    "throttle.ok": (
        "Волна {wave}: отправлено {sent}, жалоб {complaints} ({crate}), отписок "
        "{unsubs} ({urate}) — в пределах порогов"
    ),
    "throttle.insufficient": "Волна {wave}: ещё ничего не отправлено — проверять нечего",
    "throttle.throttled": "Волна {wave} остановлена: {detail}; снято будущих касаний: {n}",
    # cannibalisation and discount-expectation monitors (F5.5)
    "monitor.base": "вся база",
    "monitor.status.ok": "в норме",
    "monitor.status.alert": "тревога",
    "monitor.status.insufficient_data": "недостаточно данных",
    "monitor.overlap_active": "Пересечение с активными",
    "monitor.overlap_active.explain": (
        "Доля получивших волну, кто был активным покупателем (покупал незадолго до "
        "старта); тревога, если больше {threshold}"
    ),
    "monitor.complaints": "Жалобы",
    "monitor.complaints.explain": (
        "Жалобы от отправленного волной за окно от её старта; тревога от {threshold} и выше"
    ),
    "monitor.unsubscribes": "Отписки",
    "monitor.unsubscribes.explain": (
        "Отписки от отправленного волной; тревога, если больше {threshold}"
    ),
    "monitor.active_aov": "Средний чек активных",
    "monitor.active_aov.explain": (
        "Изменение среднего чека активных клиентов вне волн в дни волн против стольких же "
        "дней до них; тревога, если весь 95-% интервал за пределами ±{threshold}"
    ),
    "monitor.coupon_only": "Покупают только со скидкой",
    "monitor.coupon_only.explain": (
        "Доля клиентов с двумя и более покупками за год, у которых каждая покупка со "
        "скидкой; тревога, если больше {threshold}"
    ),
    "monitor.coupon_wait": "Ждали купон",
    "monitor.coupon_wait.explain": (
        "Доля покупок со скидкой после скидочного письма, когда до письма был открытый "
        "заказ или неоплаченный счёт; тревога, если больше {threshold}"
    ),
    "monitor.reason.nobody_contacted": "волна никого не коснулась и не планирует касаний",
    "monitor.reason.nothing_sent": "волна ничего не отправила в этом окне",
    "monitor.reason.no_waves": "в этом периоде не идёт ни одной волны",
    "monitor.reason.too_few_purchases": "слишком мало покупок, чтобы судить",
    "monitor.reason.no_revenue_before": "у покупок до волн нет выручки",
    "monitor.reason.too_few_buyers": "слишком мало повторных покупателей, чтобы судить",
    "consents.title": "Согласия на {date}",
    "consents.history": "История согласий клиента {customer}",
    "consents.col.channel": "канал",
    "consents.col.purpose": "цель",
    "consents.col.granted": "дано",
    "consents.col.withdrawn": "отозвано",
    "consents.col.customers": "клиентов",
    "consents.col.parental": "дано родителем",
    "consents.col.ts": "когда",
    "consents.col.state": "состояние",
    "consents.col.given_by": "кто дал",
    "consents.col.offer_version": "версия оферты",
    "consents.col.source": "источник",
    "playbooks.title": "Сценарии",
    "playbooks.col.id": "сценарий",
    "playbooks.col.kind": "тип",
    "playbooks.col.days": "дней",
    "playbooks.col.arms": "группы",
    "playbooks.col.touches": "касания по каналам",
    "playbooks.valid": "{path}: сценарий {id} корректен",
    "weekly.title": "Еженедельный отчёт: {school}",
    "weekly.fact.school": "Школа",
    "weekly.fact.week": "Неделя",
    "weekly.week": "{start} — {end} (с понедельника по воскресенье, UTC)",
    "weekly.legend": (
        "Конверсия — доля клиентов сегмента с засчитанной покупкой за неделю. «н/д» — не "
        "хватает данных (причина во всплывающей подсказке), не ноль."
    ),
    "weekly.section.tiers": "Конверсия по сегментам R",
    "weekly.section.sales": "Продажи, маржа и стоимость коммуникаций",
    "weekly.section.messages": "Жалобы и отписки",
    "weekly.section.increment": "Инкрементальные заказы волн",
    "weekly.missing.segments": (
        "Нет сегментов, посчитанных до начала недели: запустите `livebase segment`."
    ),
    "weekly.tiers.title": "Конверсия в покупку по сегментам давности",
    "weekly.tiers.chart": "Конверсия за неделю по сегментам",
    "weekly.tiers.caption": "Сегменты на {date}.",
    "weekly.tiers.explain": (
        "Доля клиентов каждого сегмента давности (R90, R180, R270 и активные), сделавших "
        "засчитанную покупку за неделю; в скобках — 95-процентный интервал Уилсона."
    ),
    "weekly.tiers.none": "Сегментов нет.",
    "weekly.tier.active": "активные",
    "weekly.col.tier": "Сегмент",
    "weekly.col.customers": "Клиентов",
    "weekly.col.buyers": "Купили",
    "weekly.col.conversion": "Конверсия",
    "weekly.col.ci": "95% интервал",
    "weekly.col.metric": "Показатель",
    "weekly.col.value": "Значение",
    "weekly.col.channel": "Канал",
    "weekly.col.amount": "Сумма",
    "weekly.col.count": "Количество",
    "weekly.col.rate": "Доля от отправленных",
    "weekly.col.wave": "Волна",
    "weekly.col.until": "Заказы до",
    "weekly.col.contacted": "Получили сообщения",
    "weekly.col.payers": "Оплатили: с сообщениями / холдаут",
    "weekly.col.holdout_rate": "Конверсия холдаута",
    "weekly.col.incremental": "Инкрементальные заказы",
    "weekly.col.ci95": "95% интервал",
    "weekly.sales.title": "Продажи недели",
    "weekly.sales.orders": "Заказы (засчитанные покупки)",
    "weekly.sales.revenue": "Выручка (за вычетом возвратов)",
    "weekly.sales.aov": "Средний чек",
    "weekly.sales.gross_margin": "Валовая маржа",
    "weekly.sales.cost": "Стоимость коммуникаций",
    "weekly.sales.contribution": "Маржа после коммуникаций",
    "weekly.sales.explain": (
        "Валовая маржа = выручка × {margin} (средняя валовая маржа из настроек "
        "[experiments] gross_margin); стоимость коммуникаций — расходы таблицы costs с "
        "датой внутри недели."
    ),
    "weekly.costs.title": "Стоимость коммуникаций по каналам",
    "weekly.costs.none": "Расходов за неделю нет.",
    "weekly.costs.no_channel": "без канала",
    "weekly.total": "Итого",
    "weekly.msg.title": "Сообщения недели",
    "weekly.msg.sent": "Отправлено",
    "weekly.msg.complaints": "Жалобы (клиенты)",
    "weekly.msg.unsubscribes": "Отписки (клиенты)",
    "weekly.msg.explain": (
        "Жалобы и отписки — число клиентов, доля — от отправленных за неделю сообщений; "
        "пороги: жалобы не выше {complaints}, отписки не выше {unsubscribes}."
    ),
    "weekly.inc.title": "Инкрементальные заказы волн, идущих на этой неделе",
    "weekly.inc.none": "На этой неделе волн не было.",
    "weekly.inc.explain": (
        "Инкрементальные заказы = оплатившие среди получивших сообщения − конверсия "
        "холдаута × число получивших, с начала волны до конца недели (или до конца окна "
        "волны); интервал — Ньюкомба. Итог складывает оценки волн."
    ),
    "weekly.reason.no_orders": "за неделю нет заказов",
    "weekly.reason.nothing_sent": "за неделю ничего не отправлено",
    "weekly.reason.not_started": "волна ещё не началась",
    "weekly.reason.no_holdout": "у волны нет холдаута",
    "weekly.reason.empty_arm": "в группе никого нет",
    "weekly.reason.empty_control": "в холдауте никого нет",
    "wave_review.title": "Отчёт по волне {wave_id}: {school}",
    "wave_review.legend": (
        "Решение о повторе волны принимайте по строке «с сообщениями против холдаута» и "
        "по марже: атрибуция показывает, какие касания видели покупатели, а не сколько "
        "покупок волна добавила."
    ),
    "wave_review.section.verdict": "Итог по группам",
    "wave_review.section.money": "Деньги и маржа",
    "wave_review.section.whole": "Вся волна против холдаута",
    "wave_review.section.channels": "Каналы и офферы",
    "wave_review.section.extras": "Возвраты, апсейлы и расходы",
    "wave_review.arms.title": "Конверсия по группам против контроля",
    "wave_review.arms.chart": "Конверсия по группам",
    "wave_review.col.arm": "Группа",
    "wave_review.col.orders": "Заказы",
    "wave_review.col.revenue": "Выручка",
    "wave_review.col.assisted": "Доля оплат с касанием канала",
    "wave_review.col.offer": "Оффер",
    "wave_review.col.payers": "Оплатили",
    "wave_review.col.purchases": "Покупки",
    "wave_review.col.refunds": "Возвраты",
    "wave_review.col.refund_rate": "Доля возвратов",
    "wave_review.col.refunded": "Сумма возвратов",
    "wave_review.col.upsell_buyers": "Купили ещё",
    "wave_review.col.upsell_share": "Доля апсейла",
    "wave_review.col.upsell_revenue": "Выручка апсейлов",
    "wave_review.attr.title": "Атрибутированная выручка против инкрементальной",
    "wave_review.attr.paid": "Все оплаты окна",
    "wave_review.attr.attributed": "Оплаты с касанием волны (атрибуция)",
    "wave_review.attr.incremental": "Инкремент против холдаута",
    "wave_review.attr.ratio": "Атрибуция ÷ инкремент",
    "wave_review.attr.explain": (
        "Атрибуция засчитывает волне каждую оплату, перед которой в пределах {days} дней "
        "был клик по её сообщению, — в том числе тех, кто купил бы и так; инкремент "
        "считает только покупки сверх холдаута. Отношение выше 1 — во столько раз "
        "атрибуция переоценивает волну."
    ),
    "wave_review.reason.no_increment": "инкремент не определён (нет холдаута или оплат)",
    "wave_review.reason.no_ratio": (
        "нужен положительный инкремент и хотя бы одна атрибутированная оплата"
    ),
    "wave_review.reason.no_purchases": "нет покупок",
    "wave_review.channels.title": "Выручка по каналам в четырёх моделях атрибуции",
    "wave_review.channels.chart": "Выручка по каналам, модель 40/40/20",
    "wave_review.channels.explain": (
        "Модели делят одну и ту же атрибутированную выручку: последний клик, первый клик,"
        " поровну (линейная) и 40/40/20 (первое и последнее касание по 40 %, остальные "
        "делят 20 %). Показы без клика учитываются только для каналов: {views}."
    ),
    "wave_review.channels.none": "Ни одна оплата окна не прошла через касания волны.",
    "wave_review.none": "нет (не подтверждены холдаутом)",
    "wave_review.no_offer": "без оффера",
    "wave_review.offers.title": "Вклад офферов (модель 40/40/20)",
    "wave_review.offers.explain": (
        "Атрибутированные заказы и выручка по типу оффера в касании (value — ценность, "
        "discount — скидка; без оффера — прогрев контроля). Причинный эффект оффера — в "
        "таблице групп выше."
    ),
    "wave_review.extras.title": "Возвраты и апсейлы по группам",
    "wave_review.extras.explain": (
        "Покупки участников группы в окне волны; возврат — заказ со статусом «возврат» "
        "или суммой возврата; апсейл — каждая покупка после первой в окне."
    ),
    "wave_review.costs.title": "Расходы волны по каналам",
    "wave_review.whole.explain": (
        "Все группы с сообщениями вместе против холдаута (без сообщений) за окно волны: "
        "инкрементальные заказы = оплатившие − конверсия холдаута × число получивших; "
        "интервал — Ньюкомба."
    ),
    "monitors.title": "Тревоги и мониторы: {school}",
    "monitors.legend": (
        "Мониторы каннибализации и «скидочного ожидания» (seed 000): тревога — показатель"
        " за порогом; «недостаточно данных» — статус, не ноль."
    ),
    "monitors.period": "{start} — {end}",
    "monitors.fact.period": "Период",
    "monitors.fact.alerts": "Тревог",
    "monitors.section.alerts": "Требует внимания",
    "monitors.section.monitors": "Все мониторы",
    "monitors.alerts.title": "Мониторы за порогом",
    "monitors.alerts.none": "Ни один монитор не вышел за порог.",
    "monitors.all.title": "Мониторы периода",
    "monitors.all.none": "Нет ни волн, ни покупок, по которым можно судить.",
    "monitors.col.monitor": "Монитор",
    "monitors.col.scope": "Где",
    "monitors.col.value": "Значение",
    "monitors.col.threshold": "Порог",
    "monitors.col.ci": "95% интервал",
    "monitors.col.status": "Статус",
    "monitors.col.numbers": "Из чего посчитано",
    "quarterly.title": "Квартальный отчёт {quarter}: {school}",
    "quarterly.legend": (
        "LTV 180 и отток 180 — по когортам месяца первой покупки; «*» — посчитано не по "
        "всей когорте, «н/д» — горизонт ещё не наступил."
    ),
    "quarterly.fact.quarter": "Квартал",
    "quarterly.section.sales": "Продажи квартала",
    "quarterly.section.cohorts": "LTV 180 и отток 180",
    "quarterly.sales.title": "Продажи против прошлого квартала",
    "quarterly.col.change": "Изменение",
    "quarterly.reason.no_previous": "в прошлом квартале нечего сравнить",
    "quarterly.cohorts.title": "LTV 180 и отток 180 по когортам первой покупки",
    "quarterly.cohorts.chart": "LTV 180 по когортам",
    "quarterly.cohorts.caption": "Когорты на {date}.",
    "quarterly.cohorts.partial": "* посчитано только по клиентам, у которых 180 дней уже прошли.",
    "quarterly.cohorts.explain": (
        "LTV 180 — чистая выручка за 180 дней от первой покупки на клиента когорты; отток"
        " 180 — доля когорты без повторной покупки и без двух учебных активностей за 180 "
        "дней."
    ),
    "quarterly.cohorts.none": "Когорт нет: нет покупок.",
    "quarterly.col.cohort": "Когорта",
    "quarterly.col.members": "Клиентов",
    "quarterly.col.ltv_180": "LTV 180",
    "quarterly.col.reached": "Прошли 180 дней",
    "quarterly.col.churn_180": "Отток 180",
    "quarterly.inc.explain": (
        "Инкрементальные заказы = оплатившие среди получивших сообщения − конверсия "
        "холдаута × число получивших, с начала волны до конца квартала (или до конца окна"
        " волны); интервал — Ньюкомба."
    ),
    "wave_review.section.summary": "Повторять ли волну",
    "wave_review.sum.title": "Что волна добавила сверх холдаута",
    "wave_review.sum.orders": "Инкрементальные заказы [95% интервал]",
    "wave_review.sum.revenue": "Инкрементальная выручка",
    "wave_review.sum.costs": "Все расходы волны",
    "wave_review.sum.margin": "Маржа после расходов (инкрементальная выручка × {gm} − расходы)",
    "wave_review.sum.explain": (
        "Сравнение всех групп с сообщениями с холдаутом, которому ничего не отправляли: "
        "это покупки, которых без волны не было бы; атрибуция ниже считает и тех, кто "
        "купил бы и так."
    ),
    "wave_review.decision.paid_off": (
        "Волна окупилась: заказов больше, чем в холдауте (интервал выше нуля), и маржа "
        "после расходов положительна — её стоит повторить."
    ),
    "wave_review.decision.did_not_pay": (
        "Волна не окупилась: заказов не больше, чем в холдауте, или маржа после расходов "
        "не выше нуля — в таком виде не повторять."
    ),
    "wave_review.decision.unclear": (
        "Пока неясно: интервал инкрементальных заказов включает ноль — эффект не отличить"
        " от случайности; нужна волна больше или дольше."
    ),
    "wave_review.decision.insufficient_data": (
        "Не хватает данных для решения: у волны нет холдаута или оплат в окне."
    ),
    "monitor.numbers.overlap_active": (
        "{active_contacted} из {contacted} получивших волну покупали за {active_days} дн."
        " до {wave_start}"
    ),
    "monitor.numbers.complaints": (
        "жалобы: {complaints} из {sent} отправленных с {window_from} до {window_until}"
    ),
    "monitor.numbers.unsubscribes": "отписки: {unsubscribes} из {sent} отправленных",
    "monitor.numbers.active_aov": (
        "средний чек {aov_during} во время волн против {aov_before} до них; покупок "
        "{purchases_during} и {purchases_before}; активных клиентов {active_customers}"
    ),
    "monitor.numbers.coupon_only": (
        "{coupon_only_buyers} из {repeat_buyers} повторных покупателей "
        "с {span_from} до {span_until}"
    ),
    "monitor.numbers.coupon_wait": (
        "{waited} из {discount_purchases_after_message} покупок со скидкой после "
        "сообщения с купоном; окно {lookback_days} дн."
    ),
    "web.nav": "Разделы",
    "web.page.overview": "Обзор",
    "web.page.segments": "Сегменты",
    "web.page.cohorts": "Когорты",
    "web.page.risk": "Риск оттока",
    "web.page.waves": "Волны",
    "web.page.customer": "Клиент",
    "web.logout": "Выйти",
    "web.login.title": "Вход в livebase",
    "web.login.username": "Логин",
    "web.login.password": "Пароль",
    "web.login.submit": "Войти",
    "web.login.failed": "Неверный логин или пароль.",
    "web.serve.url": "Панель: {url}",
    "web.serve.login": "Вход: {user} / {password}",
    "web.serve.stop": "Остановить: Ctrl+C",
    "web.serve.stopped": "Панель остановлена.",
    "web.user.added": "Пользователь {user} сохранён.",
    "web.token.added": "Токен API «{name}» (показан один раз, сохраните его): {token}",
    "erase.plan": "Что изменится (персональные данные не показываются):",
    "erase.col.where": "таблица / файлы",
    "erase.col.rows": "строк",
    "erase.files": "файлы {kind}: {files}",
    "erase.confirm": "Стереть этого человека? Отменить это нельзя",
    "erase.done": (
        "Стёрто: запись {erasure_id}, анонимный id {anon_id}; строк изменено: {rows} "
        "в таблицах: {tables}; файлов: {files}."
    ),
    "erase.unhandled": "Файлы неизвестного типа с данными человека, не изменены: {paths}",
    "erase.resumed": (
        "Прерванное стирание {erasure_id} завершено: хранилище сжато, старых значений "
        "в его файлах нет."
    ),
    "erase.already": "Этот человек уже стёрт: запись {erasure_id}. Ничего не изменено.",
    "check.title": "Проверки хранилища: {path}",
    "check.col.audit": "проверка",
    "check.col.rows": "нарушений",
    "check.col.state": "итог",
    "check.pass": "в порядке",
    "check.fail": "нарушена",
    "check.ok": "Все проверки ({n}) пройдены.",
    "check.failed": "не пройдено проверок: {n} из {total} ({names})",
    "web.as_of": "Данные на {date}",
    "web.kpi.revenue_30d": "Выручка за 30 дней",
    "web.kpi.active_base": "Активная база (покупка за 90 дней)",
    "web.kpi.champions": "Доля 555 (чемпионы)",
    "web.kpi.churn_180": "Отток 180 (нет покупки 180+ дней)",
    "web.alerts": "Тревоги",
    "web.filter.as_of": "Дата",
    "web.filter.level": "Уровень",
    "web.filter.apply": "Показать",
    "web.segments.sizes": "Размер и выручка сегментов",
    "web.col.segment": "Сегмент",
    "web.col.share": "Доля",
    "web.col.revenue_share": "Доля выручки",
    "web.col.customer": "Клиент",
    "web.col.score": "Баллы",
    "web.col.level": "Уровень",
    "web.col.reasons": "Причины",
    "web.col.ends_on": "Последний день",
    "web.col.assigned": "Назначено",
    "web.col.touches": "Касаний",
    "web.col.excluded": "Не вошли",
    "web.col.rate": "Конверсия",
    "web.col.uplift": "Разница, п.п.",
    "web.col.ci": "95% интервал",
    "web.col.reason": "Причина",
    "web.col.action": "Действие",
    "web.col.rows": "Строк",
    "web.col.order": "Заказ",
    "web.col.paid_at": "Дата",
    "web.col.status": "Статус",
    "web.col.amount": "Сумма",
    "web.col.purpose": "Цель",
    "web.col.granted": "Согласие",
    "web.col.since": "С",
    "web.risk.matching": "{n} из {total} клиентов",
    "web.wave.title": "Волна {wave_id}",
    "web.wave.exclusions": "Исключения по причинам",
    "web.customer.orders": "Заказы",
    "web.customer.consents": "Согласия",
    "web.customer.messages": "Сообщения",
    "web.customer.messages_total": "Всего событий сообщений: {n}",
    "web.yes": "да",
    "web.no": "нет",
    "web.chart.rfm": "Клиенты по R × F (шкала 1–{bins}) и средний M",
    "web.chart.trend": "Доли сегментов во времени",
    "web.chart.migration": "Переходы между сегментами",
    "web.chart.retention": "Удержание когорт D7/D30/D60",
    "web.chart.calendar": "Календарь волн",
    "web.chart.forest": "Разница с группой {control}, п.п., с 95% интервалом",
    "web.filter.title": "Фильтры",
    "web.filter.segment": "Сегмент",
    "web.filter.from": "С",
    "web.filter.to": "По",
    "web.filter.kind": "Когорты по",
    "web.filter.cohort": "Когорта",
    "web.filter.status": "Статус",
    "web.filter.source": "Источник",
    "web.filter.reset": "Сбросить",
    "web.page.events": "События",
    "web.events.total": "Событий вебхука: {n}",
    "web.events.last": "последнее {date}",
    "web.events.latest": "Последние события",
    "web.events.none": "Событий пока нет: подключите вебхук (livebase webhook).",
    "web.events.status.stored": "принято",
    "web.events.status.rejected": "отклонено",
    "web.events.overview": "Вебхук: принято {stored}, отклонено {rejected}",
    "web.col.source": "Источник",
    "web.col.kind": "Тип",
    "web.col.event_id": "ID события",
    "web.col.time": "Время (UTC)",
    "web.col.event": "Событие",
    "web.customer.waves": "Волны",
    "web.customer.no_waves": "Клиент не попадал в волны.",
    "web.error.title.bad_input": "Неверный запрос",
    "web.error.title.invalid_request": "Неверный запрос",
    "web.error.title.not_found": "Страница не найдена",
    "web.error.title.insufficient_data": "Недостаточно данных",
    "web.error.title.internal": "Внутренняя ошибка",
    "web.error.title.error": "Ошибка",
    "web.error.retry": "Открыть без фильтров",
    "web.wave.audiences": "Аудитории волны (JSON)",
}

EN: dict[str, str] = {
    "lang.name": "English",
    "report.title": "Wave {wave_id} readout",
    "report.wave": "Wave",
    "report.playbook": "Playbook",
    "report.segment": "Segment",
    "report.starts_on": "Starts on",
    "report.days": "Duration, days",
    "report.window": "Order window",
    "report.window_value": "{start} to {end} inclusive ({days} days)",
    "report.control": "Control arm",
    "report.arms": "Arms",
    "report.chart": "Conversion rate per arm, {level} CI",
    "report.methods": (
        "Conversion is the share of assigned customers who paid at least one order in "
        "the window. Rate interval: Wilson; difference to control: Newcombe's hybrid "
        "score interval; p-value: two-sided pooled two-proportion z-test, not adjusted for "
        "multiple comparisons. Revenue is net of refunds."
    ),
    "report.generated_by": "Generated by livebase",
    "col.arm": "Arm",
    "col.n": "Assigned",
    "col.conversions": "Conversions",
    "col.rate": "Rate",
    "col.rate_ci": "Rate {level} CI",
    "col.uplift": "Uplift vs control",
    "col.uplift_ci": "Uplift {level} CI",
    "col.p_value": "p-value",
    "col.orders": "Orders",
    "col.revenue": "Revenue",
    "col.revenue_per_assigned": "Revenue per assigned",
    "col.aov": "AOV",
    "col.status": "Status",
    "col.verdict": "Verdict",
    "attribution.model.last_click": "last click",
    "attribution.model.first_click": "first click",
    "attribution.model.linear": "linear",
    "attribution.model.position_based": "position-based 40/40/20",
    "attribution.kind.click": "click",
    "attribution.kind.view": "view",
    "attribution.unattributed": "no touchpoint (direct or organic)",
    "status.ok": "estimated",
    "status.control": "control",
    "status.insufficient_data": "not enough data",
    "reason.empty_arm": "no customers assigned to this arm",
    "reason.empty_control": "no customers assigned to the control arm",
    "reason.no_conversions": "no conversions in this arm nor in control",
    "reason.all_converted": "every customer of this arm and of control converted",
    "reason.single_arm": "at least two arms are needed",
    "reason.no_customers": "no customers assigned",
    "reason.small_expected": "an arm's expected count is below 5",
    "reason.no_history": (
        "nobody was in this sleep tier one wave length before the as-of date: "
        "no baseline conversion to check the power with"
    ),
    "reason.baseline_degenerate": "the tier's historical conversion is 0% or 100%",
    "power.ok": (
        "{arm}: {n} vs {n_control} in control; {required} (with {required_control} in "
        "control) needed to detect {mde} over a {baseline} baseline with {target} power "
        "at α = {alpha}: enough; the power is {power}, the smallest effect detectable at "
        "this size is {detectable}"
    ),
    "power.underpowered": (
        "{arm}: underpowered: {n} vs {n_control} in control; {required} (with "
        "{required_control} in control) needed to detect {mde} over a {baseline} baseline "
        "with {target} power at α = {alpha}; the power is {power}, the smallest effect "
        "detectable at this size is {detectable}"
    ),
    "power.insufficient": "{arm}: power not checked: {reason}",
    "power.undetectable": "none (not even a 100% rate)",
    "reason.too_few_customers": "fewer than two customers in an arm",
    "reason.no_variance": "all values are equal: no spread",
    "reason.too_few_payers": "fewer than two paying customers",
    "reason.no_answers": "no NPS answers",
    "reason.too_few_answers": "fewer than 30 NPS answers: the normal approximation is unreliable",
    "reason.no_orders": "no orders in this arm",
    "reason.no_control_orders": "no orders in the control arm",
    "reason.zero_control_ltv": "the control arm's LTV is 0: a relative uplift is undefined",
    "reason.horizon_not_reached": "the data do not reach the end of this horizon yet",
    "reason.no_members": "this cohort has no members",
    "reason.no_buyers": "nobody in this cohort has made a purchase",
    "reason.no_purchases": "no purchases in this window: values per purchase are undefined",
    "reason.no_active_members": "nobody in this cohort bought or learned in this window",
    "reason.no_payers": "nobody in this cohort bought in this window",
    "reason.no_acquisition_costs": "no acquisition costs are recorded for this cohort",
    "reason.costs_not_attributable": "acquisition costs are not recorded by this attribute",
    "reason.payback_not_reached": "the gross margin per customer has not reached CAC yet",
    # cohorts and unit economics (metrics.cohorts)
    "cohort.title": "Cohorts: {kind}",
    "cohort.kind.signup_month": "signup month",
    "cohort.kind.first_purchase_month": "first-purchase month",
    "cohort.kind.first_channel": "first-lead channel",
    "cohort.kind.age_band": "child's age at the first purchase",
    "cohort.anchor.signup": "days and months are counted from signup",
    "cohort.anchor.first_purchase": "days and months are counted from the first purchase",
    "cohort.cohort": "Cohort",
    "cohort.members": "Customers",
    "cohort.members_reached": "Reached the horizon",
    "cohort.unknown": "not given",
    "cohort.other": "other",
    "cohort.status.partial": (
        "over {reached} of {members} customers: the others have not reached the horizon yet"
    ),
    "cohort.metric.retention_d7": "Retention D7",
    "cohort.metric.retention_d30": "Retention D30",
    "cohort.metric.retention_d60": "Retention D60",
    "cohort.metric.repeat_90": "Repeat purchase 90 d",
    "cohort.metric.repeat_180": "Repeat purchase 180 d",
    "cohort.metric.refund_30": "Refund rate 30 d",
    "cohort.metric.refund_60": "Refund rate 60 d",
    "cohort.metric.refund_90": "Refund rate 90 d",
    "cohort.metric.ltv_30": "LTV 30 d",
    "cohort.metric.ltv_90": "LTV 90 d",
    "cohort.metric.ltv_180": "LTV 180 d",
    "cohort.metric.ltv_6m": "LTV 6M",
    "cohort.metric.arpu_90": "ARPU 90 d",
    "cohort.metric.arppu_90": "ARPPU 90 d",
    "cohort.metric.aov_90": "AOV 90 d",
    "cohort.metric.churn_180": "Churn 180 d",
    "cohort.metric.cac": "CAC",
    "cohort.metric.cac_payback": "CAC payback, months",
    "reason.empty_level": "no customer has this risk level on this date",
    "reason.no_churn": "nobody churned: lift and recall are undefined",
    "reason.never_fired": "this risk reason fired for nobody on the backtest dates",
    "risk.reason.rhythm_2x": "has not bought for twice their usual interval",
    "risk.reason.rhythm_1_5x": "has not bought for 1.5 times their usual interval",
    "risk.reason.activity_drop": "learns much less than usual",
    "risk.reason.recency_top_segment": "longest without a purchase in their segment (top 20%)",
    "risk.reason.autopay_cancelled": "cancelled autopay",
    "risk.reason.refund_requested": "asked for a refund",
    "risk.reason.invoice_pending": "has not paid an issued invoice",
    "risk.reason.downgrade_requested": "asked to downgrade their plan",
    "risk.reason.nps_negative": "gave a low NPS score (0–6)",
    "risk.reason.no_lessons_7": "7+ days without lessons",
    "risk.reason.no_lessons_14": "14+ days without lessons",
    "risk.reason.no_lessons_21": "21+ days without lessons",
    "reason.no_newcomers": "no customer made a first purchase in this period",
    "reason.no_activity_data": "the store holds no activity events up to this date",
    "reason.no_active_customers": "no customer bought or learned in this month",
    "reason.no_ticket_data": "the support tickets do not cover this month",
    "value.not_available": "—",
    "value.insufficient_short": "n/a",
    # the base report (reports.base, reports.base_views)
    "base.title": "Base report: {school}",
    "base.as_of": "as of {date}",
    "base.school": "School",
    "base.date": "As of",
    "base.contents": "Contents",
    "base.legend": (
        "'n/a' means not enough data (the note under the table says why), '—' does not "
        "apply, '*' is a number computed over only some customers (see the footnote). A "
        "number that cannot be computed is never shown as zero."
    ),
    "base.note": "{column} — {reason}: {rows}",
    "base.note_everywhere": "{column} — {reason}",
    "base.section.risk": "Churn risk",
    "base.section.cohorts": "Cohorts by first-purchase month",
    "base.section.activation": "Newcomer activation",
    "base.section.nps": "NPS by segment",
    "base.section.support": "Support load",
    "base.missing.no_segments": (
        "no RFM segments for {date}: run `livebase segment --as-of {date}` first"
    ),
    "base.missing.other": "could not be computed: {message}",
    "base.risk_built": (
        "No churn-risk scores were stored for this date: they were computed and stored for "
        "this report."
    ),
    "risk.title": "Churn risk on {date}",
    "risk.scored": "Customers scored: {customers} (every customer with a purchase by this date).",
    "risk.reasons": "Risk reasons that fired",
    "risk.top": "Customers at the highest risk (top {n})",
    "risk.level.low": "low",
    "risk.level.medium": "medium",
    "risk.level.high": "high",
    "risk.col.level": "Level",
    "risk.col.points_range": "Points",
    "risk.col.customers": "Customers",
    "risk.col.share": "Share of scored",
    "risk.col.reason": "Reason",
    "risk.col.points": "Points",
    "risk.col.customer": "Customer",
    "risk.col.segment": "Segment",
    "risk.col.reasons": "Reasons (points)",
    "risk.no_reasons": "no risk reason fired",
    "risk.no_customers": "no customer was scored",
    "risk.none_fired": "no reasons",
    "risk.sources": (
        "Usual interval between purchases: own for {own}, the segment's for {segment}, the "
        "whole base's for {all}, unknown for {none}; the activity change is not measured for "
        "{without_z} (too few weeks with lessons)."
    ),
    "risk.detail.gap": "{gap} days without a purchase, usually {median}",
    "risk.detail.activity": "{recent} lessons a week, usually {baseline}",
    "risk.detail.days": "{days} days",
    "risk.detail.score": "score {score}",
    "risk.detail.on": "{date}",
    "risk.bt.title": "Risk levels checked on the history: base churn",
    "risk.bt.caption": "Risk scored on {dates}; the data reach {until}.",
    "risk.bt.caption_no_data": "Risk scored on {dates}; the data hold no orders.",
    "risk.bt.date": "Scored on",
    "risk.bt.pooled": "all dates together",
    "risk.bt.churn_within": "Churn within {days} d",
    "risk.bt.levels": "Risk levels and churn within {days} days (all dates together)",
    "risk.bt.levels_caption": "Base churn within {days} days: {rate}.",
    "risk.bt.reasons": "Risk reasons on the history (all dates together)",
    "risk.bt.never_fired": "Never fired: {reasons}.",
    "risk.bt.col.churned": "Churned",
    "risk.bt.col.churn_rate": "Churn rate",
    "risk.bt.col.lift": "Lift",
    "risk.bt.col.precision": "Precision 'this or higher'",
    "risk.bt.col.recall": "Recall 'this or higher'",
    "risk.bt.col.lift_within": "Lift, {days} d",
    "cohort.caption": "As of {date}; {anchor}.",
    "cohort.without_anchor.signup": "In no cohort (no signup date): {n}.",
    "cohort.without_anchor.first_purchase": "In no cohort (no purchase yet): {n}.",
    "cohort.retention": "retention",
    "cohort.ltv": "LTV by cohort: revenue net of refunds per customer",
    "cohort.repeat": "Repeat purchases, refunds and churn by cohort",
    "cohort.money": "Revenue per customer and acquisition payback by cohort",
    "cohort.margin": "CAC payback uses a gross margin of {gm}.",
    "cohort.months_value": "{n} mo.",
    "cohort.none": "no cohorts",
    "cohort.partial_line": (
        "* {cohort}: {cells} — the cohort's other customers have not reached the horizon yet."
    ),
    "cohort.partial_cell": "{metric} over {reached} of {members}",
    "activation.title": "Activation of newcomers with a first purchase from {start} to {end}",
    "activation.by_cohort": "Activation by first-purchase month",
    "activation.criteria": "Activated: within the window after the first purchase, {criteria}.",
    "activation.criterion.lessons_finished": "at least {n} finished lessons",
    "activation.criterion.active_days": "at least {n} days with lessons",
    "activation.criterion.reviewed_homework": "at least {n} reviewed homework assignments",
    "activation.combine.all": " and ",
    "activation.combine.any": " or ",
    "activation.data_until": "Activity data reach {activity}, order data {orders}.",
    "activation.no_data": "no data",
    "activation.median": "Median days to the first confirmed result: {days}.",
    "activation.median_none": "Median days to the first confirmed result: not enough data.",
    "activation.partial": "* over the newcomers whose window is complete only.",
    "activation.metric.activated": "Activated within {days} d",
    "activation.metric.result": "First confirmed result within {days} d",
    "activation.metric.next_purchase": "Next purchase within {days} d",
    "activation.col.metric": "Metric",
    "activation.col.newcomers": "Newcomers",
    "activation.col.eligible": "Window complete",
    "activation.col.reached": "Reached",
    "activation.col.share": "Share",
    "activation.col.ci": "{level} CI",
    "activation.col.cohort": "First-purchase month",
    "nps.title.segment": "NPS by segment: answers from {since} to {until}",
    "nps.title.cohort": "NPS by first-purchase month: answers from {since} to {until}",
    "nps.col.segment": "Segment",
    "nps.col.cohort": "First-purchase month",
    "nps.col.answers": "Answers",
    "nps.col.promoters": "Promoters (9–10)",
    "nps.col.passives": "Passives (7–8)",
    "nps.col.detractors": "Detractors (0–6)",
    "nps.col.nps": "NPS",
    "nps.col.ci": "{level} CI",
    "nps.total": "All answers",
    "nps.no_segment": "no segment",
    "nps.no_cohort": "no purchase",
    "nps.no_answers": "no NPS answers in this period",
    "support.title": "Support load by month",
    "support.col.month": "Month",
    "support.col.tickets": "Tickets",
    "support.col.active": "Active customers",
    "support.col.per_1000": "Per 1,000 active",
    "support.partial": "* the month is not over: counted up to the report date.",
    "support.none": "no months",
    "explain.risk_points": (
        "Points: the sum of the points of every risk reason that fired for the customer; the "
        "more points, the likelier the customer leaves."
    ),
    "explain.risk_level": (
        "Level: low below {medium} points, medium from {medium}, high from {high}."
    ),
    "explain.risk_share": (
        "Share of scored: the part of the customers with purchases (the monetary RFM of the "
        "date) at this level."
    ),
    "explain.risk_reason_count": (
        "Customers: how many customers the reason fired for; a customer can have several, "
        "so the shares add up to more than 100%."
    ),
    "explain.risk_top": (
        "The customers with the most points and their reasons with points: start retention "
        "calls and emails with them."
    ),
    "explain.bt_base": (
        "Churn within N d: the share of the customers scored on the date who bought nothing "
        "in the N days after it."
    ),
    "explain.bt_churn_rate": "Churn rate: the same for the customers of one risk level.",
    "explain.bt_lift": (
        "Lift: how many times the level's churn is the base churn; above 1 the level really "
        "is riskier than the average customer."
    ),
    "explain.bt_precision": (
        "Precision 'this or higher': the share of the customers at this level or higher who "
        "did churn."
    ),
    "explain.bt_recall": (
        "Recall 'this or higher': the share of all churned customers that levels this high "
        "or higher caught."
    ),
    "explain.bt_reason": (
        "For each reason: the churn rate of the customers it fired for (in brackets, how "
        "often it fired on the dates that reach the horizon) and its lift over the base "
        "churn — tune the reason's points by the lift."
    ),
    "explain.cohort_members": "Customers: how many customers the cohort ({kind}) has.",
    "explain.cohort_retention": (
        "Retention Dn: the share of the cohort who paid or learned on days n to n+6 from the "
        "start (D7 is the second week, D30 the fifth, D60 the ninth)."
    ),
    "explain.cohort_heat": "The darker the cell, the higher the retention.",
    "explain.cohort_ltv": (
        "LTV N: revenue net of refunds in the first N days (6M: six calendar months) per "
        "customer of the cohort, those who paid nothing more included."
    ),
    "explain.cohort_repeat": (
        "Repeat purchase N: the share of buyers who made another purchase within N days of "
        "the first."
    ),
    "explain.cohort_refund": (
        "Refund rate N: the share of the purchases of the first N days that were refunded."
    ),
    "explain.cohort_churn": (
        "Churn 180 d: the share of customers who bought nothing new and learned fewer than "
        "twice in 180 days."
    ),
    "explain.cohort_arpu": (
        "ARPU 90 d: revenue of 90 days per customer who paid or learned in those days."
    ),
    "explain.cohort_arppu": "ARPPU 90 d: revenue of 90 days per customer who paid.",
    "explain.cohort_aov": "AOV 90 d: revenue of 90 days divided by the number of purchases.",
    "explain.cohort_cac": (
        "CAC: the acquisition costs attributed to the cohort divided by its customers."
    ),
    "explain.cohort_payback": (
        "CAC payback: after how many whole months the gross margin per customer catches up "
        "with CAC."
    ),
    "explain.cohort_partial": (
        "An asterisk: the number is over the customers whose horizon has passed only; the "
        "others are not averaged in."
    ),
    "explain.activation_newcomers": (
        "Newcomers: customers who made their first purchase in the period."
    ),
    "explain.activation_eligible": (
        "Window complete: newcomers whose whole window the data cover; the others count "
        "neither as activated nor as not activated."
    ),
    "explain.activation_share": (
        "Share: those who reached it among the newcomers with a complete window; the CI is "
        "the range holding the true share with {level} confidence."
    ),
    "explain.activation_activated": (
        "Activated: met the activation rule given under the table within the window."
    ),
    "explain.activation_result": "First confirmed result: the first reviewed homework.",
    "explain.activation_next": (
        "Next purchase: a renewal or another product in the first cycle; a second product "
        "on the day of the first purchase is a bundle, not a renewal."
    ),
    "explain.activation_by_cohort": (
        "By month: the same shares for each month's newcomers; a share falling in recent "
        "months means onboarding got worse."
    ),
    "explain.nps_answers_counted": (
        "Answers: how many customers answered in the period; each one's latest answer counts."
    ),
    "explain.nps_score": (
        "NPS: the share of promoters (9–10) minus the share of detractors (0–6), in points "
        "from −100 to 100."
    ),
    "explain.nps_ci": (
        "CI: the range holding the true NPS with {level} confidence; with fewer than 30 "
        "answers it is not given."
    ),
    "explain.support_active": "Active customers: bought or learned in the month.",
    "explain.support_rate": (
        "Per 1,000 active: the month's support tickets per 1,000 active customers."
    ),
    "explain.support_coverage": (
        "Months outside the period the tickets were exported for are not estimated: no "
        "export does not mean no tickets."
    ),
    "srm.title": "Sample ratio (SRM)",
    "srm.ok": "matches the plan (χ² = {chi2}, {p})",
    "srm.mismatch": (
        "does NOT match the plan (χ² = {chi2}, {p}): check the assignment, results are unreliable"
    ),
    "srm.insufficient_data": "not enough data: {reason}",
    "srm.not_checked": "not checked: planned arm weights were not given",
    "srm.planned": "Expected by plan",
    "srm.observed": "Assigned",
    "verdict.control": "{arm}: control, rate {rate}, {level} CI {ci}",
    "verdict.test": "{arm}: {uplift} vs control, {level} CI {ci}; {p}, {significance}",
    "verdict.insufficient": "{arm}: not enough data: {reason}",
    "verdict.significant": "significant at α = {alpha}",
    "verdict.not_significant": "not significant at α = {alpha}",
    # the readout's further tables (reports.cells sections)
    "report.money": "Revenue and order value",
    "report.economics": "Incremental economics (gross margin {gm})",
    "report.economics_caption": (
        "An order is a paying customer. The wave's marketing costs are split between the "
        "arms by the number of touched customers (without touches, by the number assigned, "
        "holdout excluded)."
    ),
    "report.nps": "NPS per arm",
    "report.horizon": "Long-horizon metrics",
    "report.horizon_caption": (
        "Horizons count from the wave's start on {start}; the data run to {until} inclusive."
    ),
    "report.horizon_caption_no_data": (
        "Horizons count from the wave's start on {start}; the data hold no order yet."
    ),
    "report.aa": "A/A check",
    "report.notes": "Why a number is missing",
    "report.explain": "How to read",
    "report.note": "{arm} — {columns}: {reason}",
    "col.p_holm": "p (Holm)",
    "col.p_bh": "p (BH)",
    "col.detectable": "Detectable uplift",
    "col.diff_ci": "Difference vs control [{level} CI]",
    "col.arppu_ci": "ARPPU [{level} CI]",
    "col.payers": "Paid",
    "col.baseline_orders": "Expected without the wave",
    "col.incremental_orders": "Incremental orders [{level} CI]",
    "col.aov_per_payer": "AOV per paying customer",
    "col.incremental_revenue": "Incremental revenue",
    "col.marketing_cost": "Marketing cost",
    "col.incremental_margin": "Incremental gross margin",
    "col.nps_answers": "Answers",
    "col.nps_ci": "NPS [{level} CI]",
    "col.repeat_90": "Repeat purchases 90 d",
    "col.refund_90": "Refund rate 90 d",
    "col.churn_180": "Churn 180 d",
    "col.vs_control_ci": "vs control [{level} CI]",
    "col.ltv_180": "LTV 180 d",
    "col.ltv_uplift": "LTV uplift",
    "value.available_from": "available from {date}",
    "horizon.not_reached": (
        "{metrics}: not enough data: horizon not reached yet (the data run to {until}); "
        "available from {date}"
    ),
    "horizon.not_reached_no_data": (
        "{metrics}: not enough data: horizon not reached yet (the data hold no order); "
        "available from {date}"
    ),
    "aa.passed": (
        "passed: the arms got the same treatment and none differs from control after Holm's "
        "correction at α = {alpha}, and the split matches the plan. Assignment and counting "
        "work: the results of other waves can be trusted."
    ),
    "aa.failed": (
        "FAILED: {why}. The arms got the same treatment, so a difference means an error in "
        "the assignment or the counting: find it before trusting the results of other waves."
    ),
    "aa.failed_arms": "a difference from control after Holm's correction at α = {alpha}: {arms}",
    "aa.failed_srm": "the split does not match the plan",
    "aa.insufficient": (
        "not enough data: no arm could be compared with control, so assignment and counting "
        "are not checked yet."
    ),
    "explain.rate": (
        "Rate: the share of the arm's assigned customers who paid at least one order in the "
        "window; the interval is where the true rate lies with {level} confidence."
    ),
    "explain.uplift": (
        "Uplift: how many percentage points more of this group paid than of the control "
        "group; the interval is where the true difference lies with {level} confidence (if "
        "it includes 0, the effect is not proven)."
    ),
    "explain.p_value": (
        "p-value: how often a difference this large or larger would appear by chance if the "
        "arm did not really differ from control; below {alpha} the difference is significant."
    ),
    "explain.p_holm": (
        "p (Holm): the p-value corrected for the fact that {family}: the more comparisons, "
        "the easier a chance 'significance'; decide by this one."
    ),
    "explain.family_arms": "several arms are compared with control",
    "explain.family_arms_and_metrics": (
        "several arms are compared with control on two metrics (conversion and revenue)"
    ),
    "explain.p_bh": (
        "p (BH): the Benjamini–Hochberg correction, milder than Holm's; it bounds the share "
        "of false findings among the significant results."
    ),
    "explain.detectable": (
        "Detectable uplift: the smallest difference from control an arm of this size would "
        "detect with {power} probability; if the expected effect is smaller, a result that "
        "is not significant proves nothing."
    ),
    "explain.revenue_per_assigned": (
        "Revenue per assigned: the arm's revenue in the window (net of refunds) divided by "
        "all its assigned customers, buyers or not."
    ),
    "explain.aov": "AOV: the arm's revenue divided by its number of orders.",
    "explain.revenue_diff": (
        "Difference vs control: how much more revenue one assigned customer of the arm "
        "brought than one of control; the interval (Welch's test) is where the true "
        "difference lies with {level} confidence, p is its significance."
    ),
    "explain.revenue_adjusted": (
        "Revenue p (Holm) and p (BH): corrected for every comparison with control, on "
        "conversion and on revenue."
    ),
    "explain.arppu": (
        "ARPPU: revenue per paying customer; the interval is a seeded BCa bootstrap: where "
        "the true value lies with {level} confidence."
    ),
    "explain.payers": "Paid: how many customers of the arm paid in the window.",
    "explain.baseline_orders": (
        "Expected without the wave: how many of the arm would have paid anyway: control's "
        "rate × the arm's assigned customers."
    ),
    "explain.incremental_orders": (
        "Incremental orders: paid minus expected without the wave; the interval is where "
        "the true number lies with {level} confidence."
    ),
    "explain.aov_per_payer": (
        "AOV per paying customer: the arm's revenue divided by its paying customers: what "
        "one incremental order brings."
    ),
    "explain.incremental_revenue": (
        "Incremental revenue: incremental orders × AOV per paying customer."
    ),
    "explain.marketing_cost": "Marketing cost: the arm's share of the wave's costs.",
    "explain.incremental_margin": (
        "Incremental gross margin: incremental revenue × the {gm} gross margin minus the "
        "marketing cost: what the wave earned beyond what would have come anyway."
    ),
    "explain.nps_answers": (
        "Answers: how many of the arm's customers answered the NPS survey (the latest "
        "answer of someone who answered twice)."
    ),
    "explain.nps": (
        "NPS: the share of promoters (scores 9–10) minus the share of detractors (0–6), in "
        "points from −100 to 100; the interval is where the true NPS lies with {level} "
        "confidence (not computed from fewer than 30 answers)."
    ),
    "explain.nps_diff": (
        "Difference vs control: how many NPS points the arm is above control; the interval "
        "is where the true difference lies with {level} confidence, p is its significance."
    ),
    "explain.repeat_90": (
        "Repeat purchases 90 d: the share of assigned customers with at least two purchases "
        "in the 90 days from the wave's start."
    ),
    "explain.refund_90": (
        "Refund rate 90 d: the share of the arm's orders paid in 90 days that were refunded."
    ),
    "explain.churn_180": (
        "Churn 180 d: the share of assigned customers who bought nothing in 180 days and "
        "hardly studied (fewer than two learning activities)."
    ),
    "explain.vs_control": (
        "vs control: the difference from the control group in percentage points; the "
        "interval is where the true difference lies with {level} confidence; for refunds "
        "and churn a minus is good."
    ),
    "explain.ltv_180": (
        "LTV 180 d: revenue (net of refunds) in 180 days per assigned customer, undiscounted."
    ),
    "explain.ltv_uplift": (
        "LTV uplift: how many percent the arm's LTV is above control's; p is the "
        "significance of the difference (Welch's test)."
    ),
    # terminal summaries of the CLI steps
    "seg.title": "Segments as of {date}",
    "seg.segment": "Segment",
    "seg.customers": "Customers",
    "seg.share": "Share of base",
    "seg.revenue_share": "Revenue share",
    "seg.mean_r": "Mean R, days",
    "seg.mean_f": "Mean F",
    "seg.mean_m": "Mean M",
    "seg.behavioural": "behavioural RFM",
    "seg.monetary": "monetary RFM",
    "seg.scale_note": "Scale",
    "seg.top": (
        "Top segment (R ≤ 45 days, F ≥ 3 or F ≥ 2 with a big second check, revenue ≥ P80 or "
        "average check ≥ P75): {n} customers ({share}), {revenue} of the window's revenue"
    ),
    "seg.crosstab": "Monetary segments (rows) × behavioural (columns)",
    "seg.crosstab_corner": "monetary \\ behavioural",
    "import.summary": (
        "{file} ({preset} → {target}): {rows_in} rows in = {loaded} loaded + {rejected} "
        "rejected; {new} new, {updated} updated"
    ),
    "import.merged": "; {merges} profiles merged",
    "import.again": "{file}: already imported as import #{import_id}; nothing changed",
    "plan.summary": "wave {wave_id}: starts {date}, {days} days; assigned: {arms}",
    "plan.excluded": "excluded: {reasons}",
    "plan.kept": "already in the wave, arm kept: {n}",
    "plan.strata": "strata (RFM decile × first-lead channel): {n}",
    "plan.baseline": (
        "historical conversion of tier {tier}: {rate} ({converted} of {customers} who were "
        "in the tier on {since} bought within {days} days)"
    ),
    "plan.baseline_missing": "no historical conversion for tier {tier}: {reason}",
    "plan.underpowered": (
        "warning: the wave is underpowered for the chosen effect — it may read "
        "'not significant' even if the effect is there; enlarge the arms or the effect"
    ),
    "power.cli_n": (
        "to detect +{mde} from a baseline of {baseline} (α = {alpha}, power {power}) you "
        "need {n} customers per arm ({total} for test and control)"
    ),
    "power.cli_mde": (
        "with {n} customers per arm and a baseline of {baseline} (α = {alpha}) an uplift "
        "of +{mde} or more is detected with power {power}"
    ),
    "demo.done": "Done. Report: {path}",
    "demo.base_report": "Base report (risk, cohorts, activation, NPS): {path}",
    "demo.report": "Report: {html} (and {xlsx})",
    "simulate.parquet.written": "Canonical tables written to {folder} (data up to {as_of})",
    "simulate.parquet.rows": "  {table}: {rows} rows",
    "thr.title": "Sleep threshold: checked on the history up to {date}",
    "thr.intervals": (
        "Intervals between purchases: {n}; median {median} days, P75 {p75}, P90 {p90}"
    ),
    "thr.suggested": "Suggested sleep window (1.5–2 medians): {lo}–{hi} days",
    "thr.curve_day": (
        "The repurchase curve falls below the natural level ({level} per {bin} days) on "
        "day {day} of silence"
    ),
    "thr.curve": "Repurchase curve by days of silence (horizon {horizon} days)",
    "thr.day": "Days silent",
    "thr.silent": "Still silent",
    "thr.return_bin": "Returned within {bin} d",
    "thr.return_horizon": "Returned within {horizon} d",
    "thr.backtest": "Backtest of windows: 'no purchase in {horizon} days', {cutoffs} cut-offs",
    "thr.window": "Window, days",
    "thr.flagged": "Flagged",
    "thr.precision": "Precision",
    "thr.recall": "Recall",
    "thr.f1": "F1",
    "thr.specificity": "Specificity",
    "thr.balanced": "Balanced accuracy",
    "thr.recommended": "Recommended: a {days}-day window (best balanced accuracy)",
    "temp.title": "Temperature of sleeping customers on {date}",
    "temp.tier": "R tier",
    "temp.temperature": "Temperature",
    "temp.share": "Share of tier",
    "temp.incomplete": "With unknown triggers",
    "temp.warm": "warm",
    "temp.cooling": "cooling",
    "temp.cold": "cold",
    "move.new": "new",
    "move.gone": "gone",
    "move.share_title": "Share of the base by segment",
    "move.revenue_title": "Share of 12-month revenue by segment",
    "move.matrix": "Moves between segments: {start} → {end}",
    "move.corner": "from \\ to",
    "move.retention": "Retention inside the segment",
    "move.horizon": "After, months",
    "move.cohort": "In the segment",
    "move.still": "Still in the segment",
    "move.bought": "Bought again",
    # wave exports: call lists and the webinar calendar
    "export.col.customer_id": "Customer ID",
    "export.col.name": "Name",
    "export.col.phone": "Phone",
    "export.col.call_on": "Call on",
    "export.col.reason": "Reason for the call",
    "export.col.segment": "Segment",
    "export.col.last_purchase": "Last purchase",
    "export.call.planned": "planned call of wave {wave_id}",
    "export.call.clicked": "clicked the wave's {via} on {date}",
    "export.call.no_interest": "no clicks on the wave's messages",
    "export.call.registered": "registered for the webinar on {date}",
    "export.call.email_unopened": "did not open the wave's e-mail of {date}",
    "export.call.email_unopened_undated": "did not open the wave's e-mail",
    "export.call.offer": "{reason} — offer: {offer}",
    "export.via.email": "e-mail",
    "export.via.messenger": "messenger message",
    "export.via.sms": "SMS",
    "export.via.push": "push notification",
    "export.via.retargeting": "ad",
    "export.via.call": "call",
    "export.via.service": "service message",
    "export.ics.description": "Webinar “{title}”, {minutes} min.",
    "export.ics.alarm": "Starting soon: {title}",
    # guardrails (issue 6)
    "guard.no_consent": "no consent for this channel and purpose",
    "guard.consent_withdrawn": "consent withdrawn",
    "guard.unsubscribed": "unsubscribed on this channel",
    "guard.complained": "complained on this channel",
    "guard.hard_bounce": "the address bounces (hard bounce)",
    "guard.no_contact": "no address or phone for the channel",
    "guard.active_buyer": "an active buyer: no reactivation needed",
    "guard.open_deal": "an open deal with the sales team",
    "guard.hot_lead": "a hot lead: a recent invoice or promo click",
    "guard.cap_day": "the daily touch cap",
    "guard.cap_week": "the cap of touches in 7 days",
    "guard.cap_channel_week": "the channel's cap in 7 days",
    "guard.cap_retargeting_day": "the daily retargeting impressions cap",
    "guard.silence_after_purchase": "silence from promo after a purchase",
    "guard.offer_cooldown": "a beneficial offer in the last 30 days already",
    "guard.discount_cooldown": "a discount window in the last 60 days already",
    "guard.discount_budget": "the wave's discount budget is spent",
    "guard.no_personalisation_consent": "no personalisation consent: a generic pattern is sent",
    "guard.no_parental_consent": (
        "no parent's consent for the child's data: a generic pattern is sent"
    ),
    "guard.cascade_no_channel": "cascade: no consent for any second channel",
    "guard.send_time_weekday": "the segment hears from us on working days only",
    "guard.past_deadline": "after the wave's deadline or last day",
    "guard.auto_throttle": "wave throttled: complaints or unsubscribes over the threshold",
    "action.excluded": "not in the wave",
    "action.removed": "removed",
    "action.moved": "moved",
    "action.changed": "changed",
    "why.title": "Customer {customer} in wave {wave} ({playbook}, planned on {date})",
    "why.segment": "Segment: {segment} (rule: {rule})",
    "why.no_segment": "The customer has no segment on the planning day",
    "why.arm": "Arm: {arm} (stratum {stratum})",
    "why.not_in_wave": "Left out of the wave: {reason} ({detail})",
    "why.not_in_audience": "The customer is not in this wave's audience",
    "why.touches": "Planned touches",
    "why.decisions": "Guardrail decisions",
    "why.col.no": "no.",
    "why.col.when": "when (UTC)",
    "why.col.channel": "channel",
    "why.col.pattern": "pattern",
    "why.col.offer": "offer",
    "why.col.condition": "condition",
    "why.col.action": "action",
    "why.col.reason": "reason",
    "why.col.detail": "detail",
    "why.col.moved_to": "moved to",
    "why.none": "none",
    "plan.playbook": "Playbook {playbook}: {n} touches ({channels}); deadline {deadline}",
    "plan.decisions": "Guardrails: {decisions}",
    "export.done": "Wave {wave} exported: {n} files in {folder}",
    "export.left_out": "Left out (reason: touches): {reasons}",
    "export.pending": "Conditional touches waiting for their condition: {n}",
    "throttle.ok": (
        "Wave {wave}: {sent} sent, {complaints} complaints ({crate}), {unsubs} "
        "unsubscribes ({urate}) — within the thresholds"
    ),
    "throttle.insufficient": "Wave {wave}: nothing sent yet — nothing to check",
    "throttle.throttled": "Wave {wave} throttled: {detail}; future touches dropped: {n}",
    # cannibalisation and discount-expectation monitors (F5.5)
    "monitor.base": "whole base",
    "monitor.status.ok": "ok",
    "monitor.status.alert": "alert",
    "monitor.status.insufficient_data": "not enough data",
    "monitor.overlap_active": "Overlap with active buyers",
    "monitor.overlap_active.explain": (
        "Share of the wave's recipients who were active buyers (bought shortly before "
        "its start); alert above {threshold}"
    ),
    "monitor.complaints": "Complaints",
    "monitor.complaints.explain": (
        "Complaints per message the wave sent in the window from its start; alert at "
        "{threshold} or above"
    ),
    "monitor.unsubscribes": "Unsubscribes",
    "monitor.unsubscribes.explain": (
        "Unsubscribes per message the wave sent; alert above {threshold}"
    ),
    "monitor.active_aov": "AOV of active customers",
    "monitor.active_aov.explain": (
        "Change of the AOV of active customers outside the waves on wave days against as "
        "many days before; alert when the whole 95 % interval lies outside ±{threshold}"
    ),
    "monitor.coupon_only": "Buy only with a discount",
    "monitor.coupon_only.explain": (
        "Share of customers with two or more purchases in a year who bought every time "
        "with a discount; alert above {threshold}"
    ),
    "monitor.coupon_wait": "Waited for a coupon",
    "monitor.coupon_wait.explain": (
        "Share of discounted purchases after a discount message whose customer had an open "
        "order or unpaid invoice before it; alert above {threshold}"
    ),
    "monitor.reason.nobody_contacted": "the wave contacted nobody and plans no touches",
    "monitor.reason.nothing_sent": "the wave sent nothing in this window",
    "monitor.reason.no_waves": "no wave runs in this period",
    "monitor.reason.too_few_purchases": "too few purchases to judge",
    "monitor.reason.no_revenue_before": "the purchases before the waves carry no revenue",
    "monitor.reason.too_few_buyers": "too few repeat buyers to judge",
    "consents.title": "Consents on {date}",
    "consents.history": "Consent history of customer {customer}",
    "consents.col.channel": "channel",
    "consents.col.purpose": "purpose",
    "consents.col.granted": "granted",
    "consents.col.withdrawn": "withdrawn",
    "consents.col.customers": "customers",
    "consents.col.parental": "given by a parent",
    "consents.col.ts": "when",
    "consents.col.state": "state",
    "consents.col.given_by": "given by",
    "consents.col.offer_version": "offer version",
    "consents.col.source": "source",
    "playbooks.title": "Playbooks",
    "playbooks.col.id": "playbook",
    "playbooks.col.kind": "kind",
    "playbooks.col.days": "days",
    "playbooks.col.arms": "arms",
    "playbooks.col.touches": "touches per channel",
    "playbooks.valid": "{path}: playbook {id} is valid",
    "weekly.title": "Weekly report: {school}",
    "weekly.fact.school": "School",
    "weekly.fact.week": "Week",
    "weekly.week": "{start} — {end} (Monday to Sunday, UTC)",
    "weekly.legend": (
        "Conversion is the share of a tier's customers with a counted purchase in the "
        'week. "n/a" means not enough data (the reason is in the tooltip), never zero.'
    ),
    "weekly.section.tiers": "Conversion by R tier",
    "weekly.section.sales": "Sales, margin and the cost of touches",
    "weekly.section.messages": "Complaints and unsubscribes",
    "weekly.section.increment": "Incremental orders of the waves",
    "weekly.missing.segments": (
        "No segments computed before the week began: run `livebase segment`."
    ),
    "weekly.tiers.title": "Purchase conversion by recency tier",
    "weekly.tiers.chart": "Conversion in the week by tier",
    "weekly.tiers.caption": "Segments as of {date}.",
    "weekly.tiers.explain": (
        "The share of each recency tier's customers (R90, R180, R270 and active) who made"
        " a counted purchase in the week; in brackets the 95% Wilson interval."
    ),
    "weekly.tiers.none": "No segments.",
    "weekly.tier.active": "active",
    "weekly.col.tier": "Tier",
    "weekly.col.customers": "Customers",
    "weekly.col.buyers": "Bought",
    "weekly.col.conversion": "Conversion",
    "weekly.col.ci": "95% interval",
    "weekly.col.metric": "Metric",
    "weekly.col.value": "Value",
    "weekly.col.channel": "Channel",
    "weekly.col.amount": "Amount",
    "weekly.col.count": "Count",
    "weekly.col.rate": "Share of sent",
    "weekly.col.wave": "Wave",
    "weekly.col.until": "Orders until",
    "weekly.col.contacted": "Contacted",
    "weekly.col.payers": "Paid: contacted / holdout",
    "weekly.col.holdout_rate": "Holdout conversion",
    "weekly.col.incremental": "Incremental orders",
    "weekly.col.ci95": "95% interval",
    "weekly.sales.title": "Sales of the week",
    "weekly.sales.orders": "Orders (counted purchases)",
    "weekly.sales.revenue": "Revenue (net of refunds)",
    "weekly.sales.aov": "Average order value",
    "weekly.sales.gross_margin": "Gross margin",
    "weekly.sales.cost": "Cost of touches",
    "weekly.sales.contribution": "Margin after touches",
    "weekly.sales.explain": (
        "Gross margin = revenue × {margin} (the average gross margin, [experiments] "
        "gross_margin); the cost of touches is the costs table's amounts dated in the "
        "week."
    ),
    "weekly.costs.title": "Cost of touches by channel",
    "weekly.costs.none": "No costs in the week.",
    "weekly.costs.no_channel": "no channel",
    "weekly.total": "Total",
    "weekly.msg.title": "Messages of the week",
    "weekly.msg.sent": "Sent",
    "weekly.msg.complaints": "Complaints (customers)",
    "weekly.msg.unsubscribes": "Unsubscribes (customers)",
    "weekly.msg.explain": (
        "Complaints and unsubscribes count customers, the share is over the messages sent"
        " in the week; thresholds: complaints at most {complaints}, unsubscribes at most "
        "{unsubscribes}."
    ),
    "weekly.inc.title": "Incremental orders of the waves running this week",
    "weekly.inc.none": "No wave ran this week.",
    "weekly.inc.explain": (
        "Incremental orders = payers among the contacted − holdout conversion × "
        "contacted, from the wave's start to the week's end (or the end of the wave's "
        "window); Newcombe interval. The total adds the waves' estimates."
    ),
    "weekly.reason.no_orders": "no orders in the week",
    "weekly.reason.nothing_sent": "nothing sent in the week",
    "weekly.reason.not_started": "the wave has not started",
    "weekly.reason.no_holdout": "the wave has no holdout",
    "weekly.reason.empty_arm": "nobody in the group",
    "weekly.reason.empty_control": "nobody in the holdout",
    "wave_review.title": "Wave report {wave_id}: {school}",
    "wave_review.legend": (
        "Decide on repeating the wave from the contacted-versus-holdout line and the "
        "margin: attribution shows which touches buyers saw, not how many purchases the "
        "wave added."
    ),
    "wave_review.section.verdict": "Verdict per arm",
    "wave_review.section.money": "Money and margin",
    "wave_review.section.whole": "The whole wave against its holdout",
    "wave_review.section.channels": "Channels and offers",
    "wave_review.section.extras": "Refunds, upsells and costs",
    "wave_review.arms.title": "Conversion per arm against control",
    "wave_review.arms.chart": "Conversion per arm",
    "wave_review.col.arm": "Arm",
    "wave_review.col.orders": "Orders",
    "wave_review.col.revenue": "Revenue",
    "wave_review.col.assisted": "Share of paid orders the channel touched",
    "wave_review.col.offer": "Offer",
    "wave_review.col.payers": "Payers",
    "wave_review.col.purchases": "Purchases",
    "wave_review.col.refunds": "Refunds",
    "wave_review.col.refund_rate": "Refund rate",
    "wave_review.col.refunded": "Refunded",
    "wave_review.col.upsell_buyers": "Bought again",
    "wave_review.col.upsell_share": "Upsell share",
    "wave_review.col.upsell_revenue": "Upsell revenue",
    "wave_review.attr.title": "Attributed against incremental revenue",
    "wave_review.attr.paid": "All paid orders of the window",
    "wave_review.attr.attributed": "Paid orders a wave touch reached (attribution)",
    "wave_review.attr.incremental": "Increment against the holdout",
    "wave_review.attr.ratio": "Attributed ÷ incremental",
    "wave_review.attr.explain": (
        "Attribution credits the wave with every paid order preceded within {days} days "
        "by a click on one of its messages, including buyers who would have bought "
        "anyway; the increment counts only purchases beyond the holdout. A ratio above 1 "
        "is how many times attribution over-credits the wave."
    ),
    "wave_review.reason.no_increment": "no increment (no holdout or no orders)",
    "wave_review.reason.no_ratio": "needs a positive increment and at least one attributed order",
    "wave_review.reason.no_purchases": "no purchases",
    "wave_review.channels.title": "Revenue per channel under four attribution models",
    "wave_review.channels.chart": "Revenue per channel, 40/40/20 model",
    "wave_review.channels.explain": (
        "The models split the same attributed revenue: last click, first click, equal "
        "shares (linear) and 40/40/20 (first and last touch 40 % each, the rest share 20 "
        "%). Impressions without a click count only for: {views}."
    ),
    "wave_review.channels.none": "No paid order of the window went through the wave's touches.",
    "wave_review.none": "none (not confirmed by a holdout)",
    "wave_review.no_offer": "no offer",
    "wave_review.offers.title": "Contribution of offers (40/40/20 model)",
    "wave_review.offers.explain": (
        "Attributed orders and revenue by the offer type of the touch (value, discount; "
        "no offer is the control's warm-up). The causal effect of an offer is in the arm "
        "table above."
    ),
    "wave_review.extras.title": "Refunds and upsells per arm",
    "wave_review.extras.explain": (
        "Purchases of the arm's members in the wave's window; a refund is an order with "
        "status refunded or a refunded amount; an upsell is every purchase after the "
        "first in the window."
    ),
    "wave_review.costs.title": "The wave's costs per channel",
    "wave_review.whole.explain": (
        "Every contacted arm together against the holdout (no messages) over the wave's "
        "window: incremental orders = payers − holdout conversion × contacted; Newcombe "
        "interval."
    ),
    "monitors.title": "Alerts and monitors: {school}",
    "monitors.legend": (
        "Cannibalisation and discount-expectation monitors (seed 000): an alert is a "
        'value past its threshold; "not enough data" is a status, not a zero.'
    ),
    "monitors.period": "{start} — {end}",
    "monitors.fact.period": "Period",
    "monitors.fact.alerts": "Alerts",
    "monitors.section.alerts": "Needs attention",
    "monitors.section.monitors": "Every monitor",
    "monitors.alerts.title": "Monitors past their threshold",
    "monitors.alerts.none": "No monitor is past its threshold.",
    "monitors.all.title": "Monitors of the period",
    "monitors.all.none": "No wave and no purchase to judge.",
    "monitors.col.monitor": "Monitor",
    "monitors.col.scope": "Where",
    "monitors.col.value": "Value",
    "monitors.col.threshold": "Threshold",
    "monitors.col.ci": "95% interval",
    "monitors.col.status": "Status",
    "monitors.col.numbers": "Computed from",
    "quarterly.title": "Quarterly report {quarter}: {school}",
    "quarterly.legend": (
        'LTV 180 and churn 180 by first-purchase-month cohort; "*" computed over part of '
        'the cohort, "n/a" the horizon is not reached yet.'
    ),
    "quarterly.fact.quarter": "Quarter",
    "quarterly.section.sales": "Sales of the quarter",
    "quarterly.section.cohorts": "LTV 180 and churn 180",
    "quarterly.sales.title": "Sales against the quarter before",
    "quarterly.col.change": "Change",
    "quarterly.reason.no_previous": "nothing to compare in the quarter before",
    "quarterly.cohorts.title": "LTV 180 and churn 180 by first-purchase cohort",
    "quarterly.cohorts.chart": "LTV 180 by cohort",
    "quarterly.cohorts.caption": "Cohorts as of {date}.",
    "quarterly.cohorts.partial": "* computed over the customers whose 180 days are over.",
    "quarterly.cohorts.explain": (
        "LTV 180 is the net revenue within 180 days of the first purchase per customer of"
        " the cohort; churn 180 the share of the cohort without a repeat purchase and "
        "without two learning activities within 180 days."
    ),
    "quarterly.cohorts.none": "No cohorts: no purchases.",
    "quarterly.col.cohort": "Cohort",
    "quarterly.col.members": "Customers",
    "quarterly.col.ltv_180": "LTV 180",
    "quarterly.col.reached": "180 days over",
    "quarterly.col.churn_180": "Churn 180",
    "quarterly.inc.explain": (
        "Incremental orders = payers among the contacted − holdout conversion × "
        "contacted, from the wave's start to the quarter's end (or the end of the wave's "
        "window); Newcombe interval."
    ),
    "wave_review.section.summary": "Should the wave be repeated",
    "wave_review.sum.title": "What the wave added beyond its holdout",
    "wave_review.sum.orders": "Incremental orders [95% interval]",
    "wave_review.sum.revenue": "Incremental revenue",
    "wave_review.sum.costs": "Every cost of the wave",
    "wave_review.sum.margin": "Margin after costs (incremental revenue × {gm} − costs)",
    "wave_review.sum.explain": (
        "Every contacted arm against the holdout, who got nothing: these are purchases "
        "that would not have happened without the wave; the attribution below also counts"
        " buyers who would have bought anyway."
    ),
    "wave_review.decision.paid_off": (
        "The wave paid off: more orders than the holdout (the interval above zero) and a "
        "positive margin after costs — worth repeating."
    ),
    "wave_review.decision.did_not_pay": (
        "The wave did not pay off: no more orders than the holdout, or no margin left "
        "after costs — do not repeat it as it is."
    ),
    "wave_review.decision.unclear": (
        "Not clear yet: the interval of incremental orders includes zero, so the effect "
        "cannot be told from chance; a larger or longer wave is needed."
    ),
    "wave_review.decision.insufficient_data": (
        "Not enough data to decide: the wave has no holdout or no orders in its window."
    ),
    "monitor.numbers.overlap_active": (
        "{active_contacted} of {contacted} contacted bought in the {active_days} days "
        "before {wave_start}"
    ),
    "monitor.numbers.complaints": (
        "complaints: {complaints} of {sent} sent from {window_from} until {window_until}"
    ),
    "monitor.numbers.unsubscribes": "unsubscribes: {unsubscribes} of {sent} sent",
    "monitor.numbers.active_aov": (
        "AOV {aov_during} during the waves against {aov_before} before; "
        "{purchases_during} and {purchases_before} purchases; {active_customers} active "
        "customers"
    ),
    "monitor.numbers.coupon_only": (
        "{coupon_only_buyers} of {repeat_buyers} repeat buyers from {span_from} until {span_until}"
    ),
    "monitor.numbers.coupon_wait": (
        "{waited} of {discount_purchases_after_message} discounted purchases after a "
        "coupon message; {lookback_days}-day window"
    ),
    "web.nav": "Sections",
    "web.page.overview": "Overview",
    "web.page.segments": "Segments",
    "web.page.cohorts": "Cohorts",
    "web.page.risk": "Churn risk",
    "web.page.waves": "Waves",
    "web.page.customer": "Customer",
    "web.logout": "Log out",
    "web.login.title": "Log in to livebase",
    "web.login.username": "Username",
    "web.login.password": "Password",
    "web.login.submit": "Log in",
    "web.login.failed": "Wrong username or password.",
    "web.serve.url": "Dashboard: {url}",
    "web.serve.login": "Login: {user} / {password}",
    "web.serve.stop": "Stop: Ctrl+C",
    "web.serve.stopped": "Dashboard stopped.",
    "web.user.added": "User {user} saved.",
    "web.token.added": 'API token "{name}" (shown once, keep it): {token}',
    "erase.plan": "What changes (no personal data shown):",
    "erase.col.where": "table / files",
    "erase.col.rows": "rows",
    "erase.files": "{kind} files: {files}",
    "erase.confirm": "Erase this person? This cannot be undone",
    "erase.done": (
        "Erased: record {erasure_id}, anonymous id {anon_id}; rows changed: {rows} in "
        "tables: {tables}; files: {files}."
    ),
    "erase.unhandled": "Files of an unknown type that show the person, left as they are: {paths}",
    "erase.resumed": (
        "The interrupted erasure {erasure_id} is finished: the store is compacted, no old "
        "value is left in its files."
    ),
    "erase.already": "This person is already erased: record {erasure_id}. Nothing changed.",
    "check.title": "Store checks: {path}",
    "check.col.audit": "check",
    "check.col.rows": "offending",
    "check.col.state": "result",
    "check.pass": "ok",
    "check.fail": "FAILED",
    "check.ok": "All {n} checks passed.",
    "check.failed": "{n} of {total} checks failed ({names})",
    "web.as_of": "Data as of {date}",
    "web.kpi.revenue_30d": "Revenue, last 30 days",
    "web.kpi.active_base": "Active base (a purchase in 90 days)",
    "web.kpi.champions": "555 share (champions)",
    "web.kpi.churn_180": "Churn 180 (no purchase for 180+ days)",
    "web.alerts": "Alerts",
    "web.filter.as_of": "Date",
    "web.filter.level": "Level",
    "web.filter.apply": "Show",
    "web.segments.sizes": "Segment sizes and revenue",
    "web.col.segment": "Segment",
    "web.col.share": "Share",
    "web.col.revenue_share": "Revenue share",
    "web.col.customer": "Customer",
    "web.col.score": "Points",
    "web.col.level": "Level",
    "web.col.reasons": "Reasons",
    "web.col.ends_on": "Last day",
    "web.col.assigned": "Assigned",
    "web.col.touches": "Touches",
    "web.col.excluded": "Left out",
    "web.col.rate": "Conversion",
    "web.col.uplift": "Uplift, pp",
    "web.col.ci": "95% interval",
    "web.col.reason": "Reason",
    "web.col.action": "Action",
    "web.col.rows": "Rows",
    "web.col.order": "Order",
    "web.col.paid_at": "Date",
    "web.col.status": "Status",
    "web.col.amount": "Amount",
    "web.col.purpose": "Purpose",
    "web.col.granted": "Consent",
    "web.col.since": "Since",
    "web.risk.matching": "{n} of {total} customers",
    "web.wave.title": "Wave {wave_id}",
    "web.wave.exclusions": "Exclusions by reason",
    "web.customer.orders": "Orders",
    "web.customer.consents": "Consents",
    "web.customer.messages": "Messages",
    "web.customer.messages_total": "Message events in total: {n}",
    "web.yes": "yes",
    "web.no": "no",
    "web.chart.rfm": "Customers by R × F (scale 1–{bins}) and mean M",
    "web.chart.trend": "Segment shares over time",
    "web.chart.migration": "Moves between segments",
    "web.chart.retention": "Cohort retention D7/D30/D60",
    "web.chart.calendar": "Wave calendar",
    "web.chart.forest": "Uplift over {control}, pp, with 95% intervals",
    "web.filter.title": "Filters",
    "web.filter.segment": "Segment",
    "web.filter.from": "From",
    "web.filter.to": "To",
    "web.filter.kind": "Cohorts by",
    "web.filter.cohort": "Cohort",
    "web.filter.status": "Status",
    "web.filter.source": "Source",
    "web.filter.reset": "Reset",
    "web.page.events": "Events",
    "web.events.total": "Webhook events: {n}",
    "web.events.last": "latest {date}",
    "web.events.latest": "Latest events",
    "web.events.none": "No events yet: connect the webhook (livebase webhook).",
    "web.events.status.stored": "stored",
    "web.events.status.rejected": "rejected",
    "web.events.overview": "Webhook: {stored} stored, {rejected} rejected",
    "web.col.source": "Source",
    "web.col.kind": "Kind",
    "web.col.event_id": "Event id",
    "web.col.time": "Time (UTC)",
    "web.col.event": "Event",
    "web.customer.waves": "Waves",
    "web.customer.no_waves": "The customer was in no wave.",
    "web.error.title.bad_input": "Bad request",
    "web.error.title.invalid_request": "Bad request",
    "web.error.title.not_found": "Page not found",
    "web.error.title.insufficient_data": "Not enough data",
    "web.error.title.internal": "Internal error",
    "web.error.title.error": "Error",
    "web.error.retry": "Open without filters",
    "web.wave.audiences": "The wave's audiences (JSON)",
}

STRINGS: dict[str, dict[str, str]] = {"ru": RU, "en": EN}
