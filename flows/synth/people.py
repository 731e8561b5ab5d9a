"""The synthetic children, workers and the date helpers every journey uses.

Every child gets one row in a registry (ID, date of birth, gender, ethnicity, disability, family,
worker); lists only hold registry indices, so a child's details agree on every list by
construction. All generation is vectorised with numpy on one seeded Generator.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

NAT = np.datetime64("NaT", "D")
YEAR = 365.25

# national-ish shares (CIN census / SSDA903 orders of magnitude); not calibration targets
GENDERS = (("Male", 0.515), ("Female", 0.475), ("Not stated/recorded", 0.007), ("Neither", 0.003))
ETHNICITIES = (
    ("WBRI", 0.66),
    ("WIRI", 0.004),
    ("WIRT", 0.003),
    ("WOTH", 0.06),
    ("WROM", 0.008),
    ("MWBC", 0.025),
    ("MWBA", 0.01),
    ("MWAS", 0.012),
    ("MOTH", 0.03),
    ("AIND", 0.012),
    ("APKN", 0.025),
    ("ABAN", 0.01),
    ("AOTH", 0.012),
    ("BCRB", 0.012),
    ("BAFR", 0.04),
    ("BOTH", 0.01),
    ("CHNE", 0.003),
    ("OOTH", 0.03),
    ("REFU", 0.004),
    ("NOBT", 0.03),
)
UASC_ETHNICITIES = (("BAFR", 0.35), ("OOTH", 0.35), ("AOTH", 0.2), ("WOTH", 0.1))
FIRST = (
    "Sam",
    "Alex",
    "Jo",
    "Chris",
    "Priya",
    "Amir",
    "Grace",
    "Tom",
    "Fatima",
    "Leah",
    "Ben",
    "Nadia",
    "Owen",
    "Zoe",
    "Kemi",
    "Ravi",
    "Ellie",
    "Dan",
    "Maya",
    "Luke",
    "Aisha",
    "Ruth",
    "Kofi",
    "Jess",
)
LAST = (
    "Smith",
    "Jones",
    "Patel",
    "Khan",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Ahmed",
    "Walker",
    "Wright",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Hughes",
    "Mensah",
    "Kaur",
    "Lewis",
    "Young",
)


def choice(rng: np.random.Generator, table, n: int) -> np.ndarray:
    """n draws from ((value, weight), ...) as an object array."""
    values = np.array([v for v, _ in table], dtype=object)
    w = np.array([w for _, w in table], dtype=float)
    return values[rng.choice(len(values), size=n, p=w / w.sum())]


def days(x) -> np.ndarray:
    return np.asarray(np.round(x), dtype="int64").astype("timedelta64[D]")


def clip(d: np.ndarray, lo, hi) -> np.ndarray:
    """Clip dates, keeping NaT."""
    out = np.where(d < lo, lo, d)
    out = np.where(out > hi, hi, out)
    return np.where(np.isnat(d), NAT, out).astype("datetime64[D]")


def uniform_dates(rng: np.random.Generator, lo: np.datetime64, hi, n: int) -> np.ndarray:
    """Dates uniformly between lo and hi inclusive (hi may be an array)."""
    span = (np.asarray(hi, dtype="datetime64[D]") - lo).astype(int)
    return lo + days(np.floor(rng.random(n) * (span + 1)))


def age_at(dob: np.ndarray, on: dt.date) -> np.ndarray:
    """Whole years from date of birth to `on` (calendar-exact); -1 where dob is NaT."""
    y = dob.astype("datetime64[Y]").astype(int) + 1970
    m = dob.astype("datetime64[M]").astype(int) % 12 + 1
    d = (dob - dob.astype("datetime64[M]")).astype(int) + 1
    before = (on.month < m) | ((on.month == m) & (on.day < d))
    return np.where(np.isnat(dob), -1, on.year - y - before.astype(int))


class Registry:
    """Every synthetic child. Attributes are numpy arrays indexed by registry position."""

    def __init__(self, rng: np.random.Generator, notification_date: dt.date, id_prefix: str):
        self.rng, self.nd, self.prefix = rng, notification_date, id_prefix
        self._chunks: list[dict[str, np.ndarray]] = []
        self._cache: dict[str, np.ndarray] = {}
        self.n = 0

    def new(self, ages: np.ndarray, *, uasc: np.ndarray | None = None) -> np.ndarray:
        """Register len(ages) children aged `ages` (whole years) on the notification date."""
        rng, n = self.rng, len(ages)
        nd = np.datetime64(self.nd, "D")
        # a birthday 2..362 days past the age boundary keeps the stated age unambiguous
        dob = nd - days(np.asarray(ages) * YEAR + rng.integers(2, 363, n))
        uasc = np.zeros(n, bool) if uasc is None else uasc
        eth = choice(rng, ETHNICITIES, n)
        eth[uasc] = choice(rng, UASC_ETHNICITIES, int(uasc.sum()))
        gender = choice(rng, GENDERS, n)
        gender[uasc] = np.where(rng.random(int(uasc.sum())) < 0.92, "Male", "Female")
        idx = np.arange(self.n, self.n + n)
        self._chunks.append(
            {
                "dob": dob,
                "gender": gender,
                "ethnicity": eth,
                "uasc": uasc,
                "disability": choice(rng, (("No", 0.86), ("Yes", 0.11), ("Unknown", 0.03)), n),
                "family": idx.copy(),
                "worker": np.full(n, -1),
                "team": np.full(n, -1),
            }
        )
        self.n += n
        self._cache.clear()
        return idx

    def __getitem__(self, attr: str) -> np.ndarray:
        if attr not in self._cache:
            self._cache[attr] = (
                np.concatenate([c[attr] for c in self._chunks]) if self._chunks else np.array([])
            )
        return self._cache[attr]

    def set(self, attr: str, idx: np.ndarray, values) -> None:
        arr = self[attr]
        arr[idx] = values
        # write back into the chunks so the next concatenation keeps it
        start = 0
        for c in self._chunks:
            c[attr] = arr[start : start + len(c[attr])]
            start += len(c[attr])

    def siblings(self, idx: np.ndarray, share: float) -> np.ndarray:
        """Group about `share` of `idx` into sibling groups of 2-4 (consecutive children).

        Siblings share the family and the first sibling's ethnicity. Returns, for each position in
        idx, the position of its group's first child, so callers can copy its dates.
        """
        rng, n = self.rng, len(idx)
        leader = np.arange(n)
        starts = np.flatnonzero(rng.random(n) < share / 2.5)
        sizes = rng.choice([2, 3, 4], size=len(starts), p=[0.6, 0.3, 0.1])
        last = -1
        for s, k in zip(starts, sizes, strict=True):  # loops over groups (a few hundred), not rows
            if s > last:
                last = min(n, s + k) - 1
                leader[s + 1 : last + 1] = s
        self.set("family", idx, self["family"][idx[leader]])
        self.set("ethnicity", idx, self["ethnicity"][idx[leader]])
        return leader

    def ids(self) -> np.ndarray:
        """Child IDs: a seeded permutation, so IDs say nothing about the journey."""
        perm = self.rng.permutation(self.n) + 100000 + self.rng.integers(0, 800000)
        return np.array([f"{self.prefix}{p:07d}" for p in perm], dtype=object)


def ages_from(rng: np.random.Generator, bands, n: int) -> np.ndarray:
    """n whole-year ages from ((lo, hi, weight), ...) bands, inclusive."""
    w = np.array([b[2] for b in bands], float)
    pick = rng.choice(len(bands), size=n, p=w / w.sum())
    lo = np.array([b[0] for b in bands])[pick]
    hi = np.array([b[1] for b in bands])[pick]
    return lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(int)


def names(rng: np.random.Generator, n: int) -> list[str]:
    f = rng.integers(0, len(FIRST), n)
    s = rng.integers(0, len(LAST), n)
    return [f"{FIRST[a]} {LAST[b]}" for a, b in zip(f, s, strict=True)]
