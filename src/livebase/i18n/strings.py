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
    "risk.reason.recency_top_segment": "longest without a purchase in their segment (top 20 %)",
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
}

STRINGS: dict[str, dict[str, str]] = {"ru": RU, "en": EN}
