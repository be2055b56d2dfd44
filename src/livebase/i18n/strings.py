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
