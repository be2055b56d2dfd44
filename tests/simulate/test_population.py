"""People and profiles: unique contacts, duplicate profiles with larger ids."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from livebase.simulate import SchoolSpec
from livebase.simulate.population import (
    USER_ID_BASE,
    generate_people,
    generate_profiles,
    plan_duplicates,
)

SPEC = SchoolSpec(customers=5_000, seed=4, chunk_size=2_000)


def test_duplicates_are_planned_once_with_fresh_larger_ids() -> None:
    dups = plan_duplicates(SPEC)
    assert 25 <= len(dups.person) <= 75
    assert len(np.unique(dups.person)) == len(dups.person)
    primary_max = USER_ID_BASE + 4 * dups.person + 1
    assert (dups.user_id > primary_max).all()
    assert len(np.unique(dups.user_id)) == len(dups.user_id)
    assert set(dups.user_id % 4) <= {2, 3}, "never an id a first profile can take"


def test_contacts_are_unique_per_person_across_chunks() -> None:
    dups = plan_duplicates(SPEC)
    emails, phones, ids = [], [], []
    for k, (lo, hi) in enumerate(SPEC.chunks()):
        rng = np.random.default_rng([SPEC.seed, k])
        people = generate_people(SPEC, lo, hi, dups, rng)
        profiles = generate_profiles(SPEC, people, dups, rng)
        emails += people.email.to_pylist()
        phones += [p for p in people.phone.to_pylist() if p]
        ids += profiles["user_id"].tolist()
        second = profiles[profiles["duplicate"] != ""]
        first_email = people.email.take(second["person"].to_numpy()).to_pylist()
        by_email = (second["duplicate"] == "email").to_numpy()
        raw = [e.strip().lower() for e in second["email_raw"]]
        assert [r == f for r, f in zip(raw, first_email, strict=True)] == list(by_email)
        assert (second["email_raw"].to_numpy()[by_email] != np.array(first_email)[by_email]).all()
        assert pc.all(pc.equal(people.email, pc.utf8_lower(people.email))).as_py()
    assert len(set(emails)) == len(emails) == SPEC.customers
    assert len(set(phones)) == len(phones)
    assert len(set(ids)) == len(ids)
