"""People and their user profiles: signups, names, contacts, zones, children, lead source.

People are indexed ``0 … customers-1`` in signup order. Signup days follow a growing
intake (three times as many signups at the end of the history as at its start), drawn by
stratified inverse sampling so that any chunk of indices can be generated on its own.

Duplicate profiles (about 1 % of people get a second GetCourse user) are planned once
for the whole school by :func:`plan_duplicates`: a second profile shares the email (in
another case or with stray spaces) or the phone (in another format) of the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from livebase.simulate import formats as fm
from livebase.simulate.clock import DAY, from_local, time_of_day
from livebase.simulate.names import (
    CITIES,
    EMAIL_DOMAIN_WEIGHTS,
    EMAIL_DOMAINS,
    FEMALE,
    MALE,
    SURNAMES,
    ZONE_WEIGHTS,
    ZONES,
    female_surname,
    translit,
)
from livebase.simulate.spec import SchoolSpec

GROWTH = np.log(3.0)
USER_ID_BASE = 100_000
DUPLICATE_SHARE = 0.01
DUPLICATE_BY_EMAIL = 0.6

FIRST_NAMES = (*FEMALE, *MALE)
SURNAME_FORMS = (*SURNAMES, *(female_surname(s) for s in SURNAMES))
FIRST_LATIN = tuple(translit(n) for n in FIRST_NAMES)
SURNAME_LATIN = tuple(translit(s) for s in SURNAME_FORMS)
CITY_LIST = tuple(c for z in ZONES for c in CITIES[z])
_CITY_COUNT = np.array([len(CITIES[z]) for z in ZONES])
_CITY_OFFSET = np.concatenate([[0], np.cumsum(_CITY_COUNT)[:-1]])

SOURCES = ("yandex", "vk", "telegram", "organic", "partner", "webinar")
SOURCE_WEIGHTS = (0.24, 0.18, 0.14, 0.22, 0.08, 0.14)
MEDIUMS = ("cpc", "target", "post", "", "referral", "email")
SEASONS = ("winter", "winter", "spring", "spring", "spring", "summer")
SEASONS += ("summer", "summer", "autumn", "autumn", "autumn", "winter")
REGISTRATIONS = (
    "Регистрация через форму",
    "Покупка",
    "Регистрация на вебинар",
    "Добавлен администратором",
)
REG_FORM, REG_PURCHASE, REG_WEBINAR, REG_ADMIN = range(4)

# raw spellings of an email in a profile: as typed, Capitalised, trailing space,
# leading space, UPPER CASE
EMAIL_VARIANT_WEIGHTS = (0.91, 0.04, 0.02, 0.015, 0.015)
# phone layouts: 8 (916) 123-45-67, +79161234567, 79161234567, +7 (916) 123-45-67,
# 8 916 123 45 67
PHONE_STYLE_WEIGHTS = (0.35, 0.35, 0.15, 0.10, 0.05)


def epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def signup_fraction(q: np.ndarray) -> np.ndarray:
    """Where in the history (0..1) the ``q``-quantile of signups falls."""
    return np.log1p(q * np.expm1(GROWTH)) / GROWTH


def signup_quantile(t: np.ndarray) -> np.ndarray:
    """Share of people who signed up before the history fraction ``t``."""
    return np.expm1(GROWTH * np.clip(t, 0.0, 1.0)) / np.expm1(GROWTH)


def _day_bound(spec: SchoolSpec, q: np.ndarray) -> np.ndarray:
    return epoch_day(spec.start) + np.floor(spec.history_days * signup_fraction(q)).astype(np.int64)


@dataclass(frozen=True)
class Duplicates:
    """Second profiles for some people, for the whole school (sorted by person)."""

    person: np.ndarray  # global person index
    user_id: np.ndarray
    created_day: np.ndarray  # local day number of the second signup
    by_email: np.ndarray  # planned kind: shared email (else shared phone)
    rank: np.ndarray  # 0..n-1, makes the extra emails unique


def plan_duplicates(spec: SchoolSpec) -> Duplicates:
    """Choose who gets a second profile, when, and its user id.

    User ids grow with signup time: person ``i`` has ``100000 + 4 i + (0 or 1)``; a second
    profile takes a free slot (``+2`` or ``+3``) next to the people who signed up on the
    same day, so it always gets a larger id than the person's first profile.
    """
    rng = np.random.default_rng([spec.seed, 0, 99])
    n = spec.customers
    end_day = epoch_day(spec.end)
    # the person's latest possible signup day must leave room for a later profile
    q_max = signup_quantile((end_day - 3 - epoch_day(spec.start)) / spec.history_days)
    eligible = max(int(np.floor(q_max * n)) - 1, 0)
    count = min(int(rng.binomial(n, DUPLICATE_SHARE)), eligible)
    person = np.sort(rng.choice(eligible, size=count, replace=False)).astype(np.int64)
    latest = _day_bound(spec, (person + 1) / n)
    span = np.minimum(end_day - 2 - latest, 400)
    created = latest + 1 + np.floor(rng.random(count) * (span + 1)).astype(np.int64)
    created = np.minimum(created, end_day - 1)
    slot = np.floor(
        n * signup_quantile((created - epoch_day(spec.start)) / spec.history_days)
    ).astype(np.int64)
    slot = np.clip(np.maximum(slot, person), 0, n - 1)
    order = np.lexsort((person, slot))
    k = np.arange(count)
    seat = np.empty(count, dtype=np.int64)
    if count:
        seat[order] = k + np.maximum.accumulate(2 * slot[order] - k)
    user_id = USER_ID_BASE + 4 * (seat // 2) + 2 + seat % 2
    by_email = rng.random(count) < DUPLICATE_BY_EMAIL
    return Duplicates(person, user_id, created, by_email, k.astype(np.int64))


@dataclass(frozen=True)
class People:
    """One row per person of a chunk (arrays of equal length)."""

    person: np.ndarray  # global index
    signup: np.ndarray  # UTC epoch seconds
    female: np.ndarray
    name: pa.Array  # "Имя Фамилия"
    first_name: pa.Array
    last_name: pa.Array
    email: pa.Array  # clean, lower case
    phone: pa.Array  # +7XXXXXXXXXX or ""
    phone_number: np.ndarray  # ten digits, 0 if none
    zone: np.ndarray  # index into names.ZONES
    city: np.ndarray  # index into CITY_LIST, -1 if unknown
    birth_day: np.ndarray  # epoch day, -1 if unknown
    child_birth_day: np.ndarray  # epoch day, -1 if no child given
    source: np.ndarray  # index into SOURCES (first-lead channel)
    campaign: pa.Array
    registration: np.ndarray  # index into REGISTRATIONS
    buyer: np.ndarray  # will buy at some point (if the history lasts long enough)
    instant: np.ndarray  # first purchase right at signup
    rate: np.ndarray  # purchases per year while alive
    dropout: np.ndarray  # chance to leave after each purchase
    sensitivity: np.ndarray  # price sensitivity 0..1
    engagement: np.ndarray  # learning and reading propensity 0..1
    corporate: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


def _bijection(index: np.ndarray, modulus: int, mult: int, add: int) -> np.ndarray:
    return (index.astype(np.int64) * mult + add) % modulus


def _email_modulus(total: int) -> int:
    return 10 ** max(6, len(str(total)) + 1)


def _emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray, code: np.ndarray):
    n = len(code)
    f = fm.labels(FIRST_LATIN, first)
    s = fm.labels(SURNAME_LATIN, last)
    initial = pc.utf8_slice_codeunits(f, 0, 1)
    num = fm.integers(code)
    style = pa.array(rng.choice(5, size=n, p=(0.35, 0.2, 0.15, 0.15, 0.15)).astype(np.int8))
    local = pc.choose(
        style,
        fm.concat(f, ".", s, num),
        fm.concat(s, num),
        fm.concat(f, "_", s, num),
        fm.concat(initial, ".", s, num),
        fm.concat(f, num),
    )
    domain = rng.choice(len(EMAIL_DOMAINS), size=n, p=EMAIL_DOMAIN_WEIGHTS)
    return fm.concat(local, "@", fm.labels(EMAIL_DOMAINS, domain))


def raw_email(email: pa.Array, variant: np.ndarray) -> pa.Array:
    """An email as a person typed it (see :data:`EMAIL_VARIANT_WEIGHTS`)."""
    return pc.choose(
        pa.array(np.asarray(variant, dtype=np.int8)),
        email,
        pc.utf8_capitalize(email),
        fm.concat(email, " "),
        fm.concat(" ", email),
        pc.utf8_upper(email),
    )


def raw_phone(number: np.ndarray, style: np.ndarray) -> pa.Array:
    """Ten-digit numbers in one of five layouts; 0 gives an empty string."""
    number = np.asarray(number, dtype=np.int64)
    code = fm.padded(number // 10_000_000, 3)
    a = fm.padded(number // 10_000 % 1000, 3)
    b = fm.padded(number // 100 % 100, 2)
    c = fm.padded(number % 100, 2)
    digits = fm.padded(number, 10)
    text = pc.choose(
        pa.array(np.asarray(style, dtype=np.int8)),
        fm.concat("8 (", code, ") ", a, "-", b, "-", c),
        fm.concat("+7", digits),
        fm.concat("7", digits),
        fm.concat("+7 (", code, ") ", a, "-", b, "-", c),
        fm.concat("8 ", code, " ", a, " ", b, " ", c),
    )
    return fm.where(number > 0, text)


def generate_people(
    spec: SchoolSpec, lo: int, hi: int, dups: Duplicates, rng: np.random.Generator
) -> People:
    """People ``lo … hi-1`` of the school."""
    n = hi - lo
    total = spec.customers
    idx = np.arange(lo, hi, dtype=np.int64)
    end_day = epoch_day(spec.end)
    day = np.minimum(_day_bound(spec, (idx + rng.random(n)) / total), end_day - 1)
    signup = from_local(day * DAY + time_of_day(rng, n), spec.timezone)

    female = rng.random(n) < 0.82
    first = np.where(
        female, rng.integers(0, len(FEMALE), n), len(FEMALE) + rng.integers(0, len(MALE), n)
    )
    last = rng.integers(0, len(SURNAMES), n)
    shown_last = np.where(rng.random(n) < 0.04, -1, last + female * len(SURNAMES))
    first_name = fm.labels(FIRST_NAMES, first)
    last_name = fm.labels(SURNAME_FORMS, shown_last)
    name = fm.where(shown_last >= 0, fm.concat(first_name, " ", last_name), first_name)

    code = _bijection(idx, _email_modulus(total + len(dups.person)), 7_368_787, 12_345)
    email = _emails(rng, first, last + female * len(SURNAMES), code)
    has_phone = rng.random(n) < 0.8
    number = np.where(
        has_phone, 9_000_000_000 + _bijection(idx, 1_000_000_000, 740_461_223, 901_733), 0
    )
    phone = fm.where(has_phone, fm.concat("+7", fm.padded(number, 10)))

    zone = rng.choice(len(ZONES), size=n, p=ZONE_WEIGHTS)
    city = _CITY_OFFSET[zone] + np.floor(rng.random(n) * _CITY_COUNT[zone]).astype(np.int64)
    city = np.where(rng.random(n) < 0.18, -1, city)
    birth_day = np.where(
        rng.random(n) < 0.3, day - np.floor(rng.uniform(23, 52, n) * 365.25).astype(np.int64), -1
    )
    child_birth_day = np.where(
        rng.random(n) < 0.45, day - np.floor(rng.uniform(0, 17, n) * 365.25).astype(np.int64), -1
    )
    source = rng.choice(len(SOURCES), size=n, p=SOURCE_WEIGHTS)
    campaign = _campaigns(rng, source, day)

    buyer = rng.random(n) < 0.72
    instant = buyer & (rng.random(n) < 0.3)
    registration = np.full(n, REG_FORM)
    registration[source == SOURCES.index("webinar")] = REG_WEBINAR
    registration[rng.random(n) < 0.03] = REG_ADMIN
    registration[instant] = REG_PURCHASE
    return People(
        person=idx,
        signup=signup,
        female=female,
        name=name,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        phone_number=number,
        zone=zone,
        city=city,
        birth_day=birth_day,
        child_birth_day=child_birth_day,
        source=source,
        campaign=campaign,
        registration=registration,
        buyer=buyer,
        instant=instant,
        rate=rng.gamma(1.3, 3.2 / 1.3, n),
        dropout=rng.beta(1.6, 3.0, n),
        sensitivity=rng.beta(2.0, 3.0, n),
        engagement=rng.beta(2.0, 2.0, n),
        corporate=buyer & (rng.random(n) < 0.02),
    )


def _campaigns(rng: np.random.Generator, source: np.ndarray, day: np.ndarray) -> pa.Array:
    year, month, _ = fm.civil(day)
    season = fm.labels(SEASONS, month - 1)
    src = fm.labels(SOURCES, source)
    paid = fm.concat(src, "_", season, "_", fm.integers(year))
    partner = fm.concat("partner_", fm.integers(rng.integers(1, 13, len(day))))
    webinar = fm.concat("webinar_", fm.integers(year), fm.padded(month, 2))
    kind = np.select(
        [source == SOURCES.index("organic"), source == SOURCES.index("partner")], [0, 1], 3
    )
    kind = np.where(source == SOURCES.index("webinar"), 2, kind)
    return pc.choose(
        pa.array(kind.astype(np.int8)), fm.labels(("",), np.zeros(len(day))), partner, webinar, paid
    )


def generate_profiles(
    spec: SchoolSpec, people: People, dups: Duplicates, rng: np.random.Generator
) -> pd.DataFrame:
    """User profiles of a chunk's people: one each, plus the planned second profiles.

    Columns: ``user_id, person`` (row in ``people``), ``created`` (UTC seconds),
    ``duplicate`` (``""``, ``"email"`` or ``"phone"``), ``email`` (clean), ``email_raw``,
    ``phone_raw``, ``registration``.
    """
    n = len(people)
    lo = int(people.person[0])
    variant = rng.choice(5, size=n, p=EMAIL_VARIANT_WEIGHTS)
    style = rng.choice(5, size=n, p=PHONE_STYLE_WEIGHTS)
    primary = pd.DataFrame(
        {
            "user_id": USER_ID_BASE + 4 * people.person + rng.integers(0, 2, n),
            "person": np.arange(n),
            "created": people.signup,
            "duplicate": "",
            "email": pd.Series(people.email, dtype="str"),
            "email_raw": pd.Series(raw_email(people.email, variant), dtype="str"),
            "phone_raw": pd.Series(raw_phone(people.phone_number, style), dtype="str"),
            "registration": people.registration,
        }
    )
    mine = (dups.person >= lo) & (dups.person < lo + n)
    who = dups.person[mine] - lo
    m = len(who)
    has_phone = people.phone_number[who] > 0
    by_email = dups.by_email[mine] | ~has_phone
    # a shared email, spelt differently from the first profile
    email_variant = (variant[who] + 1 + rng.integers(0, 4, m)) % 5
    same_email = raw_email(people.email.take(pa.array(who)), email_variant)
    # a shared phone in another layout, with a new email
    total = spec.customers + len(dups.person)
    other_code = _bijection(
        spec.customers + dups.rank[mine], _email_modulus(total), 7_368_787, 12_345
    )
    other_email = _emails(
        rng,
        rng.integers(0, len(FIRST_NAMES), m),
        rng.integers(0, len(SURNAME_FORMS), m),
        other_code,
    )
    email = pc.if_else(pa.array(by_email), people.email.take(pa.array(who)), other_email)
    email_raw = pc.if_else(pa.array(by_email), same_email, other_email)
    phone_style = np.where(
        by_email, rng.integers(0, 5, m), (style[who] + 1 + rng.integers(0, 4, m)) % 5
    )
    keep_phone = ~by_email | (rng.random(m) < 0.4)
    phone_raw = raw_phone(np.where(keep_phone, people.phone_number[who], 0), phone_style)
    created = from_local(dups.created_day[mine] * DAY + time_of_day(rng, m), spec.timezone)
    second = pd.DataFrame(
        {
            "user_id": dups.user_id[mine],
            "person": who,
            "created": np.maximum(created, people.signup[who] + DAY),
            "duplicate": np.where(by_email, "email", "phone"),
            "email": pd.Series(email, dtype="str"),
            "email_raw": pd.Series(email_raw, dtype="str"),
            "phone_raw": pd.Series(phone_raw, dtype="str"),
            "registration": np.where(rng.random(m) < 0.5, REG_PURCHASE, REG_FORM),
        }
    )
    profiles = pd.concat([primary, second], ignore_index=True)
    profiles["duplicate"] = profiles["duplicate"].astype("str")
    return profiles.sort_values("user_id", kind="stable", ignore_index=True)
