"""Header families: the many ways LAs head one template column, reduced to one *family key*.

`specs.header_key` matches a header that differs from the template (or an alias) only in case,
spacing and punctuation. LAs also reorder words and add notes, so when no key matches, a header is
matched on its family key: the set of its meaningful words, after

- notes in brackets are dropped: "Child ID (Mosaic)", "Date of birth (dd/mm/yyyy)", "Contact Source
  (Annex A code)", "Date of Referral (start)";
- CamelCase and UPPER_SNAKE are split into words ("LoookedAfterStartDate", "DATE_OF_BIRTH");
- possessives go ("Child's ID" is "Child ID"), abbreviations are spelt out (S47, ICPC, CP, CPP, CIN,
  CLA/LAC, UASC, PA, DoB, EH, IRO kept), synonyms folded ("Identifier", "Reference", "Ref" are "ID";
  "No.", "Num" are "Number") and words that carry nothing ("of", "the", "was", "received", "code",
  case-management system names) dropped;
- word order is ignored ("Unique Child ID" is "Child Unique ID").

Both the template's headers (with their aliases) and the header sent are reduced the same way, so
the list specs stay the one source of truth. A family key that two columns of one list share is
ambiguous: a header that reduces to it is reported, never guessed (identify.py).
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from flows.annex_a import specs as S

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# a word: an upper-case run not followed by lower case ("ICPC" in "ICPCDate"), a capitalised or
# lower-case word, or digits; "S47" becomes "S" "47" and is joined again below
_WORD = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['\u2019`]s\b")

# whole phrases first (as lower-case word sequences), then single words
_PHRASES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("s", "47", "s"), ("section", "47")),
    (("s", "47"), ("section", "47")),
    (("12", "m"), ("12", "months")),
    (("do", "b"), ("date", "birth")),
    (("sec", "47"), ("section", "47")),
    (("d", "o", "b"), ("date", "birth")),
)
_EXPAND: dict[str, tuple[str, ...]] = {
    "s47": ("section", "47"),
    "s47s": ("section", "47"),
    "icpc": ("initial", "child", "protection", "conference"),
    "icpcs": ("initial", "child", "protection", "conference"),
    "cp": ("child", "protection"),
    "cpp": ("child", "protection", "plan"),
    "cin": ("child", "need"),
    "cla": ("looked", "after", "child"),
    "lac": ("looked", "after", "child"),
    "uasc": ("unaccompanied", "asylum", "seeking", "child"),
    "pa": ("personal", "advisor"),
    "dob": ("date", "birth"),
    "eh": ("early", "help"),
    "eha": ("early", "help", "assessment"),
    "conf": ("conference",),
    "identifier": ("id",),
    "reference": ("id",),
    "ref": ("id",),
    "no": ("number",),
    "num": ("number",),
    "nr": ("number",),
    "children": ("child",),
    "childs": ("child",),
    "adviser": ("advisor",),
    "loooked": ("looked",),  # the SSD extract's spelling
    "dt": ("date",),
    "episode": ("period",),  # "second or subsequent episode of being looked after"
    "episodes": ("period",),
    "yrs": ("years",),
}
_DROP = frozenset(
    {
        "of", "the", "a", "an", "to", "be", "is", "was", "were", "this", "that", "for", "by", "in",
        "at", "on", "and", "or", "has", "have", "does", "did", "received", "code", "annex",
        "during", "their", "mosaic", "lcs", "liquidlogic", "eclipse", "carefirst", "azeus", "paris", "icon",
    }
)  # fmt: skip


def words(header: str) -> list[str]:
    """The meaningful words of a header, in order (see module docstring)."""
    text = _POSSESSIVE.sub("", _BRACKETED.sub(" ", str(header)))
    raw = [w.casefold() for w in _WORD.findall(text.replace("_", " "))]
    if _PHRASE_STARTS.intersection(raw):  # rare: "S 47", "D o B", "12 m"
        raw = _join_phrases(raw)
    out = []
    for w in raw:
        for x in _EXPAND.get(w, (w,)):
            if x not in _DROP:
                out.append(_stem(x))
    return out


_PHRASE_STARTS = frozenset(p[0] for p, _ in _PHRASES)


def _join_phrases(raw: list[str]) -> list[str]:
    joined: list[str] = []
    i = 0
    while i < len(raw):
        for phrase, expansion in _PHRASES:
            if tuple(raw[i : i + len(phrase)]) == phrase:
                joined.extend(expansion)
                i += len(phrase)
                break
        else:
            joined.append(raw[i])
            i += 1
    return joined


def _stem(word: str) -> str:
    """'started' and 'start', 'placements' and 'placement' are one word (applied to both sides)."""
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def family_key(header: str, drop: frozenset[str] = frozenset()) -> str:
    """Word order ignored: the sorted set of a header's meaningful words ('' when none)."""
    return " ".join(sorted(set(words(header)) - drop))


# a second, looser family: "Child's Date of Birth" is the Date of Birth, "Child Legal Status" the
# Legal Status; tried only when the first finds nothing
LOOSE = frozenset({"child"})


@cache
def families(table: str, drop: frozenset[str] = frozenset()) -> dict[str, tuple[str, ...]]:
    """family key -> the columns of one list it may mean (more than one: ambiguous)."""
    spec = S.BY_TABLE[table]
    out: dict[str, list[str]] = {}
    for col in spec.columns:
        for h in (col.header, col.name.replace("_", " "), *col.aliases):
            key = family_key(h, drop)
            if key and col.name not in out.setdefault(key, []):
                out[key].append(col.name)
    return {k: tuple(v) for k, v in out.items()}


def match(table: str, header: str) -> tuple[str, ...]:
    """The columns of a list a header's family may mean: none, one, or several (ambiguous)."""
    for drop in (frozenset(), LOOSE):
        key = family_key(header, drop)
        if key and (cols := families(table, drop).get(key)):
            return cols
    return ()


@cache
def _word_sets(table: str) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(
        (col.name, frozenset(words(h)))
        for col in S.BY_TABLE[table].columns
        for h in (col.header, *col.aliases)
    )


# a header of at least this many meaningful words that fits one column only is that column: "Was
# the child assessed as requiring social care support", "Subject to Emergency Protection Order"
# (the shortened headers liia-tools' Annex A schema accepts by regex); a shorter one says too little
FIT_WORDS = 3


def fits(table: str, header: str) -> tuple[str, ...]:
    """The columns whose header (or an alias) holds every word of a header that matched none:
    "Visit Date" fits both of list 8's visit dates, so it is ambiguous. A header of FIT_WORDS or
    more words that fits one column is taken for it (identify.py); a shorter one is not."""
    sent = frozenset(words(header))
    if len(sent) < 2:
        return ()
    return tuple(dict.fromkeys(name for name, w in _word_sets(table) if sent <= w))


@cache
def family_index() -> dict[str, dict[str, tuple[str, ...]]]:
    """family key -> {table: columns it may mean}, over every list (for identifying a sheet)."""
    index: dict[str, dict[str, tuple[str, ...]]] = {}
    for spec in S.SPECS:
        for key, cols in families(spec.table).items():
            index.setdefault(key, {})[spec.table] = cols
    return index


def nearest(spec: S.ListSpec, header: str, n: int = 2) -> list[str]:
    """The template headers of a list closest in wording to a header (for a finding's message):
    most words shared with the header or one of its aliases, then the closest spelling."""
    sent = set(words(header))
    target = " ".join(sorted(sent))

    def score(col: S.Column) -> tuple[float, float]:
        best = (0.0, 0.0)
        for h in (col.header, *col.aliases):
            w = set(words(h))
            overlap = len(sent & w) / len(sent | w) if sent | w else 0.0
            spelling = difflib.SequenceMatcher(None, target, " ".join(sorted(w))).ratio()
            best = max(best, (overlap, spelling))
        return best

    ranked = sorted(spec.columns, key=score, reverse=True)
    return [c.header for c in ranked[:n] if score(c)[0] > 0]
