"""A simulated online school with planted truth (SPEC F8).

``simulate_school`` writes the exports the importers read (GetCourse users, orders and
payments, LMS events, consents, ESP events), ``truth.json`` with what was planted, and a
private ``state.parquet``; ``wave_outcomes`` then plays out a campaign wave on that
school: who bought in each arm and what the ESP reported (``orders.csv``,
``esp_events.csv``), how the buyers answered the NPS survey (``nps.csv``) and what the
wave cost (``costs.csv``), each importable through its preset; given the wave's touches
and a ``Behaviour``, also the non-email touch paths and the behaviour the monitors watch
(``planted.json`` says what was planted). ``write_canonical`` writes the same school as
canonical store tables in Parquet instead (chunked, for benchmarks and other engines).

What an importer meets in these files (all planted on purpose, counted in truth.json):

- ``users.csv`` is Windows-1251; ``orders.csv`` UTF-8 with a BOM; the GetCourse files end
  lines with CRLF, the others with LF; a ``;`` inside a title is quoted.
- Money: ``27 400,00`` with a space or a no-break space, sometimes `` ₽`` / `` руб.``;
  ``Оплачено`` is ``0`` for unpaid orders.
- About 1 % of people have a second profile (a larger user id) sharing the email in
  another case or with stray spaces, or the phone in another layout with a new email;
  second profiles have no birth dates, UTM or time zone, and some orders are placed
  from them.
- Free webinar orders: ``Завершен`` with amount ``0,00`` and no payment date.
- Installments: 3 or 4 paid orders sharing ``ID рассрочки`` (``R-…``), titled
  ``… (платёж k из n)``, each carrying its own part of the price.
- Refunds exist only in ``payments.csv`` (a ``Возвращен`` row, full or half, 3–40 days
  after payment); the order keeps status ``Завершен``. ``Ожидаем возврата`` orders are
  paid, with the refund still pending.
- Accidental repeat payments: a second paid order of the same profile, title and amount
  1–6 days later (natural repeat purchases are at least 15 days apart).
- Corporate orders: tag ``корпоратив`` and ``Безналичный расчёт``; gifts: tag
  ``подарок``; tags are joined by ``", "``.
"""

from livebase.simulate.canonical import CanonicalFiles, write_canonical
from livebase.simulate.outcomes import WaveOutcomeFiles, wave_outcomes
from livebase.simulate.school import SchoolFiles, simulate_school
from livebase.simulate.spec import SchoolSpec
from livebase.simulate.truth import ARMS, TIERS, Behaviour, PlantedTruth

__all__ = [
    "ARMS",
    "TIERS",
    "Behaviour",
    "CanonicalFiles",
    "PlantedTruth",
    "SchoolFiles",
    "SchoolSpec",
    "WaveOutcomeFiles",
    "simulate_school",
    "wave_outcomes",
    "write_canonical",
]
