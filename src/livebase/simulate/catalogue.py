"""The school's products, the promotions of its history and the offers of a wave.

>>> len(PRODUCTS), PRODUCTS[0].title
(16, 'Курс «Рисование; акварель»')
>>> sorted({p.category for p in PRODUCTS})
['certification', 'consultation', 'course', 'module', 'subscription', 'webinar']
>>> round(float((FIRST_WEIGHTS * PRICES).sum() / 100))  # mean first check, ₽
12164
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    category: str
    price: int  # roubles
    lessons: int  # learning steps a buyer can take
    first: float  # weight among first purchases
    repeat: float  # weight among repeat purchases


PRODUCTS: tuple[Product, ...] = (
    Product("p01", "Курс «Рисование; акварель»", "course", 24_900, 16, 6, 8),
    Product("p02", "Курс «Английский для детей 6–8 лет»", "course", 34_900, 20, 7, 10),
    Product("p03", "Курс «Подготовка к школе»", "course", 27_400, 16, 8, 8),
    Product("p04", "Программа «Осознанное родительство»", "course", 49_900, 24, 3, 7),
    Product("p05", "Профессия «Детский психолог»", "course", 89_000, 30, 1, 4),
    Product("p06", "Модуль «Скетчинг за 30 дней»", "module", 6_900, 8, 12, 10),
    Product("p07", "Модуль «Развитие речи 3–5 лет»", "module", 4_900, 8, 12, 8),
    Product("p08", "Интенсив «Логика для дошкольников»", "module", 9_900, 6, 8, 8),
    Product("p09", "Консультация логопеда", "consultation", 2_990, 1, 9, 6),
    Product("p10", "Консультация детского психолога", "consultation", 4_500, 1, 7, 6),
    Product("p11", "Сертификация «Детский психолог»", "certification", 14_900, 3, 0, 5),
    Product("p12", "Подписка «Клуб родителей» (1 мес.)", "subscription", 1_990, 4, 10, 10),
    Product("p13", "Подписка «Клуб родителей» (12 мес.)", "subscription", 17_900, 12, 2, 5),
    Product("p14", "Вебинар «Кризис трёх лет» (запись)", "webinar", 1_990, 1, 15, 5),
    Product("p15", "Вебинар «Как помочь ребёнку с домашкой»", "webinar", 0, 1, 0, 0),
    Product("p16", 'Мастер-класс "Пасхальная открытка"', "webinar", 0, 1, 0, 0),
)

TITLES = tuple(p.title for p in PRODUCTS)
PRICES = np.array([p.price * 100 for p in PRODUCTS], dtype=np.int64)  # kopecks
LESSONS = np.array([p.lessons for p in PRODUCTS], dtype=np.int64)
CATEGORIES = tuple(p.category for p in PRODUCTS)
IS_COURSE = np.array([p.category in ("course", "module", "subscription") for p in PRODUCTS])
IS_SUBSCRIPTION = np.array([p.category == "subscription" for p in PRODUCTS])
FREE = np.flatnonzero(PRICES == 0)
FIRST_WEIGHTS = np.array([p.first for p in PRODUCTS], dtype=float)
FIRST_WEIGHTS /= FIRST_WEIGHTS.sum()
REPEAT_WEIGHTS = np.array([p.repeat for p in PRODUCTS], dtype=float)
REPEAT_WEIGHTS /= REPEAT_WEIGHTS.sum()

INSTALLMENT_MIN = 20_000 * 100  # kopecks: only products this expensive are sold in parts


@dataclass(frozen=True)
class Promotion:
    name: str
    code: str
    percent: int
    months: tuple[int, ...]  # months of the year it runs in


PROMOTIONS: tuple[Promotion, ...] = (
    Promotion("Новогодняя акция", "NY25", 25, (12, 1)),
    Promotion("Весенняя распродажа", "SPRING20", 20, (3, 4, 5)),
    Promotion("День рождения школы", "BDAY15", 15, (2, 6, 7, 10)),
    Promotion("Снова в школу", "SCHOOL10", 10, (8, 9)),
    Promotion("Чёрная пятница", "BF30", 30, (11,)),
)
PROMO_BY_MONTH = np.array(
    [-1] + [next(k for k, p in enumerate(PROMOTIONS) if m in p.months) for m in range(1, 13)]
)
PROMO_PERCENT = np.array([p.percent for p in PROMOTIONS], dtype=np.int64)
PERSONAL_DISCOUNT = 10  # percent a manager grants without a promotion

PAY_SYSTEMS = ("CloudPayments", "ЮKassa", "Тинькофф", "Prodamus", "Безналичный расчёт")
PAY_SYSTEM_WEIGHTS = (0.35, 0.30, 0.20, 0.15)  # the last one is for corporate clients
CASHLESS = 4


@dataclass(frozen=True)
class WaveOffer:
    """What a returning customer buys in a wave: three price points whose mean is the
    tier's planted average check."""

    titles: tuple[str, str, str] = (
        "Мини-курс «Возвращение в ритм»",
        "Курс «Следующий шаг»",
        "Программа «Новый уровень»",
    )


WAVE_OFFER = WaveOffer()
WAVE_PROMO_CODE = "BACK15"
WAVE_DISCOUNT = 0.15


def wave_prices(aov: float) -> np.ndarray:
    """Three list prices in kopecks with mean ``aov`` roubles.

    >>> wave_prices(12_300).tolist()
    [690000, 1230000, 1770000]
    """
    mid = round(aov) * 100
    low = round(aov * 0.561 / 100) * 100 * 100
    return np.array([low, mid, 2 * mid - low], dtype=np.int64)
