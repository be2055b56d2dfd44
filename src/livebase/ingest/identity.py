"""Identity resolution: source ids, emails and phones → one customer id.

Profiles that share a normalised email or phone are one person. Keys already known to
the store keep their customer id; when a new record links two known customers, the
one with the smaller id absorbs the other and the merge is recorded with its rule.

>>> known = {}
>>> res = resolve(
...     [("gc:1", "a@x.ru", None), ("gc:2", "a@x.ru", "+79161234567"), ("gc:3", None, None)],
...     known,
... )
>>> res.customer_ids
['gc:1', 'gc:1', 'gc:3']
>>> [(m.from_id, m.into_id, m.rule) for m in res.merges]
[('gc:2', 'gc:1', 'email')]
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

KINDS = ("src", "email", "phone")


@dataclass(frozen=True)
class Merge:
    from_id: str
    into_id: str
    rule: str


@dataclass
class Resolution:
    customer_ids: list[str | None]
    new_keys: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, value) -> id
    merges: list[Merge] = field(default_factory=list)
    # existing customers absorbed by another: loser -> winner
    absorbed: dict[str, str] = field(default_factory=dict)


def _hash_id(prefix: str, value: str) -> str:
    return f"{prefix}:{hashlib.sha1(value.encode()).hexdigest()[:16]}"


def _sort_key(customer_id: str) -> tuple:
    # numeric ids compare as numbers ("gc:9" < "gc:10"), then lexicographically
    prefix, _, rest = customer_id.partition(":")
    return (prefix, 0, int(rest), "") if rest.isdigit() else (prefix, 1, 0, rest)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def resolve(
    records: Sequence[tuple[str | None, str | None, str | None]],
    known: Mapping[tuple[str, str], str],
) -> Resolution:
    """Give each ``(src_key, email, phone)`` record a customer id (``None`` if it has no key).

    ``known`` maps ``(kind, value)`` to the customer id already in the store.
    """
    uf = _UnionFind()
    record_nodes: list[list[str]] = []
    for src, email, phone in records:
        nodes = [f"{k}\x00{v}" for k, v in zip(KINDS, (src, email, phone), strict=True) if v]
        record_nodes.append(nodes)
        for node in nodes:
            uf.find(node)
            kind, value = node.split("\x00", 1)
            cid = known.get((kind, value))
            if cid is not None:
                uf.union(node, f"cust\x00{cid}")
        for other in nodes[1:]:
            uf.union(nodes[0], other)

    # group nodes by component
    components: dict[str, list[str]] = {}
    for node in list(uf.parent):
        components.setdefault(uf.find(node), []).append(node)

    res = Resolution([])
    winner_of: dict[str, str] = {}
    for root, nodes in components.items():
        existing = sorted(
            {n.split("\x00", 1)[1] for n in nodes if n.startswith("cust\x00")}, key=_sort_key
        )
        srcs = sorted(
            {n.split("\x00", 1)[1] for n in nodes if n.startswith("src\x00")}, key=_sort_key
        )
        if existing:
            winner = existing[0]
        elif srcs:
            winner = srcs[0]
        else:
            emails = sorted(n.split("\x00", 1)[1] for n in nodes if n.startswith("email\x00"))
            phones = sorted(n.split("\x00", 1)[1] for n in nodes if n.startswith("phone\x00"))
            winner = _hash_id("em", emails[0]) if emails else _hash_id("ph", phones[0])
        winner_of[root] = winner
        for loser in existing[1:]:
            res.absorbed[loser] = winner
        for node in nodes:
            if node.startswith("cust\x00"):
                continue
            kind, value = node.split("\x00", 1)
            if known.get((kind, value)) != winner:
                res.new_keys[(kind, value)] = winner

    # merges: every profile (an existing customer or a new source id) that is not the winner;
    # the rule names the kinds of key it shares with another profile
    owners: dict[str, set[str]] = {}  # key node -> profiles carrying it
    keys_of: dict[str, set[str]] = {}  # profile -> its key nodes
    for nodes in record_nodes:
        profiles = {n.split("\x00", 1)[1] for n in nodes if n.startswith("src\x00")}
        for n in nodes:
            kind, value = n.split("\x00", 1)
            if kind != "src":
                owners.setdefault(n, set()).update(profiles)
                if (kind, value) in known:
                    owners[n].add(known[(kind, value)])
                for profile in owners[n]:
                    keys_of.setdefault(profile, set()).add(n)
    seen: set[str] = set()
    for root, winner in winner_of.items():
        members = [n for n in components[root] if n.startswith(("cust\x00", "src\x00"))]
        for n in members:
            profile = n.split("\x00", 1)[1]
            if profile == winner or profile in seen:
                continue
            if n.startswith("src\x00") and known.get(("src", profile)) == winner:
                continue  # merged by an earlier import already
            seen.add(profile)
            shared = {
                key.split("\x00", 1)[0] for key in keys_of.get(profile, ()) if len(owners[key]) > 1
            }
            res.merges.append(Merge(profile, winner, "+".join(sorted(shared)) or "key"))
    for nodes in record_nodes:
        res.customer_ids.append(winner_of[uf.find(nodes[0])] if nodes else None)
    return res
