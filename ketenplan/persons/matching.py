"""Recognising a person who may already be known: name keys, phonetic codes and scores.

Pure functions, no database: ``selectors.person_matches`` shortlists candidates in SQL
with the keys computed here and scores the shortlist with ``assess_candidate``.

Keys, from the written name to what is compared:

1. ``name_key``: lowercase, other scripts and special letters transliterated (Turkish
   dotless i→i, ``ł``→l, ``ø``→o, ``ß``→ss, Cyrillic→Latin; see ``names.yaml``),
   accents dropped, and everything that is not a letter or digit removed, so spaces,
   hyphens and apostrophes do not count. The name prefix (tussenvoegsel) is folded
   into the family name:
   "Van den Broeck", "van den" + "Broeck" and "Vandenbroeck" all give ``vandenbroeck``.
2. ``canonical_name``: a key that belongs to a group of spelling variants in
   ``names.yaml`` (Mohamed/Mohammed/Mehmet, Jan/Johan/Johannes) is replaced by the
   group's first name.
3. ``phonetic_key``: a sound code of the canonical key, made for Dutch and Flemish
   spelling and for names that reach us through French, Turkish, Arabic, Slavic and
   Vietnamese transliteration: vowels after the first letter do not count; letters that
   sound alike share a class (b/p, d/t, f/v/w, g/k/c/q/ch, s/z); ``ck``, ``dt``, ``ph``,
   ``th``, ``sch``, ``dj`` and a silent ``h`` are simplified; a final patronymic ``s``
   (Peeters/Peter, Janssens/Janssen) does not count.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any, Protocol

import yaml
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

NAMES_FILE = Path(__file__).with_name("names.yaml")

# --- Name data (names.yaml) ---------------------------------------------------------------


@dataclass(frozen=True)
class NameData:
    """The transliteration table and the spelling-variant groups, ready to use."""

    transliteration: dict[int, str]
    canonical: dict[str, str] = field(default_factory=dict)  # name key -> group's first key
    groups: tuple[tuple[str, ...], ...] = ()


def load_name_data(path: Path = NAMES_FILE) -> NameData:
    """Read and check ``names.yaml``; a mistake in the file is reported with its place."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImproperlyConfigured(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(raw, dict):
        raise ImproperlyConfigured(
            f"{path}: expected the sections transliteration, given_names and family_names."
        )
    unknown = set(raw) - {"transliteration", "given_names", "family_names"}
    if unknown:
        raise ImproperlyConfigured(f"{path}: unknown sections {sorted(unknown)}.")

    table: dict[int, str] = {}
    for letter, latin in (raw.get("transliteration") or {}).items():
        if not isinstance(letter, str) or len(letter) != 1 or letter != letter.lower():
            raise ImproperlyConfigured(
                f"{path}: transliteration keys are single lowercase letters, not {letter!r}."
            )
        latin = "" if latin is None else latin
        if not isinstance(latin, str) or not re.fullmatch(r"[a-z]*", latin):
            raise ImproperlyConfigured(
                f"{path}: {letter!r} must map to lowercase Latin letters, not {latin!r}."
            )
        table[ord(letter)] = latin

    canonical: dict[str, str] = {}
    groups: list[tuple[str, ...]] = []
    for section in ("given_names", "family_names"):
        for number, group in enumerate(raw.get(section) or [], start=1):
            where = f"{path}: {section}, group {number}"
            if not isinstance(group, list) or not all(isinstance(n, str) for n in group):
                raise ImproperlyConfigured(f"{where}: a group is a list of names.")
            keys = list(dict.fromkeys(_fold(name, table) for name in group))
            if "" in keys:
                raise ImproperlyConfigured(f"{where}: a name without letters.")
            if len(keys) < 2:
                raise ImproperlyConfigured(f"{where}: a group needs at least two spellings.")
            for key in keys:
                if key in canonical:
                    raise ImproperlyConfigured(
                        f"{where}: {key!r} is already in the group of {canonical[key]!r}; "
                        "a name may belong to one group only."
                    )
                canonical[key] = keys[0]
            groups.append(tuple(keys))
    return NameData(transliteration=table, canonical=canonical, groups=tuple(groups))


@functools.cache
def name_data() -> NameData:
    """The name data of ``names.yaml``, read once per process on first use."""
    return load_name_data()


# --- Keys ---------------------------------------------------------------------------------


def _fold(text: str, transliteration: dict[int, str]) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower().translate(transliteration)
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = re.sub(r"[^a-z0-9]", "", without_accents)
    if key:
        return key
    # A script we do not transliterate (Arabic, Chinese, ...): keep its letters, so at
    # least the same name written the same way is recognised.
    return "".join(c for c in text if c.isalnum())


def name_key(text: str) -> str:
    """The normalised key of a written name: ``"D'Hondt-Öztürk"`` → ``"dhondtozturk"``."""
    return _fold(text, name_data().transliteration)


def family_name_key(family_name: str, name_prefix: str = "") -> str:
    """The key of a family name with its prefix folded in: ("van den", "Broeck") →
    ``"vandenbroeck"``, the same as for "Van den Broeck" or "Vandenbroeck"."""
    return name_key(f"{name_prefix} {family_name}")


def first_given_name(given_names: str) -> str:
    parts = (given_names or "").split()
    return parts[0] if parts else ""


def given_name_key(given_names: str) -> str:
    """The key of the first given name (the one a person is usually called by)."""
    return name_key(first_given_name(given_names))


def canonical_name(key: str) -> str:
    """The first name of the key's spelling-variant group, or the key itself."""
    return name_data().canonical.get(key, key)


def are_spelling_variants(key_a: str, key_b: str) -> bool:
    """True when two different keys belong to the same group in ``names.yaml``."""
    return key_a != key_b and canonical_name(key_a) == canonical_name(key_b)


# Letters that sound alike (or are confused in transliteration) share a class.
_SOUND_CLASSES = {
    **dict.fromkeys("bp", "P"),
    **dict.fromkeys("dt", "T"),
    **dict.fromkeys("fvw", "F"),
    **dict.fromkeys("gkcq", "K"),
    **dict.fromkeys("sz", "S"),
    "l": "L",
    "m": "M",
    "n": "N",
    "r": "R",
    "j": "J",
    "h": "H",
}
_VOWELS = frozenset("aeiouy")
_REWRITES = (
    (re.compile(r"^chr"), "kr"),  # Christophe, Christiaan: a k
    (re.compile(r"sch"), "s"),  # Schepers, Bosch
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"dt"), "t"),  # De Smedt
    (re.compile(r"dj"), "j"),  # Djamila / Jamila, Serbian đ
    (re.compile(r"sh|sj|zh"), "s"),  # Aisha, Sjoerd, Cyrillic ж
    (re.compile(r"kh|gh|ch"), "k"),  # Khaled, Ghali, Michel
    (re.compile(r"c(?=[eiy])"), "s"),  # Cécile, Francine
    (re.compile(r"tz"), "s"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"y(?=[aeiou])"), "j"),  # Youssef, Bayram, Nguyen: a consonant
    (re.compile(r"j(?![aeiou])"), "i"),  # Marijke, Rijkaert: ij is a vowel
    (re.compile(r"(?<=.)h"), ""),  # Mohamed, Ahmed: a silent h
)


def phonetic_code(key: str) -> str:
    """The sound code of a name key (see the module docstring): ``"mohamed"`` → ``"MMT"``."""
    text = key
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    code: list[str] = []
    previous = None
    for position, letter in enumerate(text):
        if letter in _VOWELS:
            if position == 0:
                code.append("A")
            previous = None
            continue
        sound = _SOUND_CLASSES.get(letter)
        if sound is None:
            continue
        if sound != previous:
            code.append(sound)
        previous = sound
    result = "".join(code)
    if len(result) > 2 and result.endswith("S"):
        result = result[:-1]
    return result


def phonetic_key(key: str) -> str:
    """The sound code of a key's canonical spelling, so variants share a phonetic key."""
    return phonetic_code(canonical_name(key))


@dataclass(frozen=True)
class SearchKeys:
    """The four keys stored with every person and computed for every search."""

    name_key: str  # family name, prefix folded in
    given_name_key: str  # first given name
    phonetic_key: str  # family name
    given_phonetic_key: str  # first given name

    def as_dict(self) -> dict[str, str]:
        return {
            "name_key": self.name_key,
            "given_name_key": self.given_name_key,
            "phonetic_key": self.phonetic_key,
            "given_phonetic_key": self.given_phonetic_key,
        }


def search_keys(*, given_names: str, family_name: str, name_prefix: str = "") -> SearchKeys:
    family = family_name_key(family_name, name_prefix)
    given = given_name_key(given_names)
    return SearchKeys(
        name_key=family,
        given_name_key=given,
        phonetic_key=phonetic_key(family),
        given_phonetic_key=phonetic_key(given),
    )


_INITIALS = re.compile(r"(?:[^\W\d_]\s*\.\s*-?\s*)+|[^\W\d_]")


def is_initials(given_names: str) -> bool:
    """True for given names written as initials only: "J.", "J.P.", "A. M.", "K"."""
    return bool(_INITIALS.fullmatch((given_names or "").strip()))


def initial_letter(given_names: str) -> str:
    return given_name_key(given_names)[:1]


# --- Scoring ------------------------------------------------------------------------------


class MatchReason(models.TextChoices):
    """Why a person is proposed (or what speaks against it), in the user's words."""

    SAME_NATIONAL_NUMBER = "same_national_number", _("same national number")
    DIFFERENT_NATIONAL_NUMBER = "different_national_number", _("different national number")
    SAME_BIRTH_DATE = "same_birth_date", _("same date of birth")
    NEARLY_SAME_BIRTH_DATE = "nearly_same_birth_date", _("date of birth almost the same")
    SIMILAR_BIRTH_YEAR = "similar_birth_year", _("year of birth fits (approximate date)")
    DIFFERENT_BIRTH_DATE = "different_birth_date", _("different date of birth")
    SAME_FAMILY_NAME = "same_family_name", _("same family name")
    SAME_GIVEN_NAME = "same_given_name", _("same given name")
    SPELLING_VARIANT = "spelling_variant", _("spelling variant")
    SOUNDS_ALIKE = "sounds_alike", _("name sounds alike")
    OTHER_GIVEN_NAME = "other_given_name", _("one of the other given names is the same")
    MATCHING_INITIALS = "matching_initials", _("initials match the given name")
    NAMES_SWAPPED = "names_swapped", _("given and family name swapped")


class Likeness(IntEnum):
    """How alike two names are, from not at all to written the same."""

    NONE = 0
    INITIAL = 1
    OTHER_GIVEN_NAME = 2
    SIMILAR_SPELLING = 3  # a typing slip: "Mertens"/"Nertens" (family names only)
    SOUNDS_ALIKE = 4
    SPELLING_VARIANT = 5
    SAME_KEY = 6  # the same after normalising: "Öztürk"/"Ozturk", "De Smet"/"Desmet"
    SAME = 7


FAMILY_POINTS = {
    Likeness.SAME: 35,
    Likeness.SAME_KEY: 35,
    Likeness.SPELLING_VARIANT: 28,
    Likeness.SOUNDS_ALIKE: 22,
    Likeness.SIMILAR_SPELLING: 20,
}
GIVEN_POINTS = {
    Likeness.SAME: 30,
    Likeness.SAME_KEY: 30,
    Likeness.SPELLING_VARIANT: 24,
    Likeness.SOUNDS_ALIKE: 18,
    Likeness.OTHER_GIVEN_NAME: 12,
    Likeness.INITIAL: 10,
}
SWAPPED_PENALTY = 5
BIRTH_POINTS = {
    MatchReason.SAME_BIRTH_DATE: 35,
    MatchReason.NEARLY_SAME_BIRTH_DATE: 12,
    MatchReason.SIMILAR_BIRTH_YEAR: 10,
    MatchReason.DIFFERENT_BIRTH_DATE: -30,
}
SAME_NATIONAL_NUMBER_POINTS = 100
# Below this a candidate is not proposed (unless the national number is the same).
PROPOSAL_THRESHOLD = 50

_LIKENESS_REASON = {
    Likeness.SPELLING_VARIANT: MatchReason.SPELLING_VARIANT,
    Likeness.SAME_KEY: MatchReason.SPELLING_VARIANT,
    Likeness.SOUNDS_ALIKE: MatchReason.SOUNDS_ALIKE,
    Likeness.SIMILAR_SPELLING: MatchReason.SPELLING_VARIANT,
    Likeness.OTHER_GIVEN_NAME: MatchReason.OTHER_GIVEN_NAME,
    Likeness.INITIAL: MatchReason.MATCHING_INITIALS,
}


class Candidate(Protocol):
    """What scoring reads from a stored person (``persons.models.Person`` has it all)."""

    given_names: str
    name_prefix: str
    family_name: str
    name_key: str
    given_name_key: str
    phonetic_key: str
    given_phonetic_key: str
    birth_date: date | None
    birth_date_approximate: bool
    national_number: str | None


@dataclass(frozen=True)
class MatchQuery:
    """What the user typed, with its keys computed once."""

    given_names: str
    family_name: str
    name_prefix: str = ""
    birth_date: date | None = None
    national_number: str = ""  # digits, already checked; "" when not given or not valid
    keys: SearchKeys = field(init=False)

    def __post_init__(self):
        keys = search_keys(
            given_names=self.given_names, family_name=self.family_name, name_prefix=self.name_prefix
        )
        object.__setattr__(self, "keys", keys)

    @property
    def given_as_initials(self) -> bool:
        return is_initials(self.given_names)


@dataclass(frozen=True)
class Match:
    """A person who may be the one being registered."""

    person: Any
    score: int
    reasons: tuple[MatchReason, ...]
    same_national_number: bool = False
    # True when both have a national number and they differ: proposed only because the
    # date of birth is the same too; the user must look twice.
    conflict: bool = False
    # True for a person the user does not know from a case they may see: proposed only
    # because the user typed enough to identify the person (``assess_unseen_candidate``)
    # and shown only as far as it matches what was typed.
    known_elsewhere: bool = False
    # False when the stored date of birth is not what the user typed and may not be shown.
    birth_date_shown: bool = True

    @property
    def reason_labels(self) -> list[str]:
        return [str(reason.label) for reason in self.reasons]

    # What a proposal shows of the person: read these, never ``person`` itself, which is
    # for linking only.

    @property
    def name(self) -> str:
        return self.person.full_name

    @property
    def birth_date(self) -> date | None:
        return self.person.birth_date if self.birth_date_shown else None

    @property
    def birth_date_approximate(self) -> bool:
        return self.birth_date_shown and bool(self.person.birth_date_approximate)


def _simple(text: str) -> str:
    return " ".join((text or "").lower().split())


# Keys at least this alike in trigrams (see ``trigram_similarity``) are a typing slip of
# one another. PostgreSQL shortlists with ``%`` (pg_trgm's default threshold, 0.3) and the
# trigram index on the keys; the score decides here.
SIMILAR_SPELLING_THRESHOLD = 0.4


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_similarity(key_a: str, key_b: str) -> float:
    """pg_trgm's ``similarity()`` for two name keys (one word of letters and digits):
    shared trigrams of the padded words over all their trigrams."""
    a, b = _trigrams(key_a), _trigrams(key_b)
    return len(a & b) / len(a | b) if key_a and key_b else 0.0


def _compare(
    query_written: str,
    query_key: str,
    query_sound: str,
    stored_written: str,
    stored_key: str,
    stored_sound: str,
    *,
    typing_slips: bool = False,
) -> Likeness:
    if not query_key or not stored_key:
        return Likeness.NONE
    if query_key == stored_key:
        if _simple(query_written) == _simple(stored_written):
            return Likeness.SAME
        return Likeness.SAME_KEY
    if are_spelling_variants(query_key, stored_key):
        return Likeness.SPELLING_VARIANT
    if query_sound and query_sound == stored_sound:
        return Likeness.SOUNDS_ALIKE
    if typing_slips and trigram_similarity(query_key, stored_key) >= SIMILAR_SPELLING_THRESHOLD:
        return Likeness.SIMILAR_SPELLING
    return Likeness.NONE


def _compare_given_names(query: MatchQuery, stored: Candidate) -> Likeness:
    keys = query.keys
    likeness = _compare(
        first_given_name(query.given_names),
        keys.given_name_key,
        keys.given_phonetic_key,
        first_given_name(stored.given_names),
        stored.given_name_key,
        stored.given_phonetic_key,
    )
    if likeness:
        return likeness
    if is_initials(query.given_names) or is_initials(stored.given_names):
        query_initial, stored_initial = keys.given_name_key[:1], stored.given_name_key[:1]
        if query_initial and query_initial == stored_initial:
            return Likeness.INITIAL
        return Likeness.NONE
    query_all = {name_key(n) for n in query.given_names.split()} - {""}
    stored_all = {name_key(n) for n in stored.given_names.split()} - {""}
    if query_all & stored_all:
        return Likeness.OTHER_GIVEN_NAME
    return Likeness.NONE


def _compare_birth_dates(
    query: date | None, stored: date | None, approximate: bool
) -> MatchReason | None:
    if query is None or stored is None:
        return None
    if approximate:
        if abs(query.year - stored.year) <= 1:
            return MatchReason.SIMILAR_BIRTH_YEAR
        return MatchReason.DIFFERENT_BIRTH_DATE
    if query == stored:
        return MatchReason.SAME_BIRTH_DATE
    # Typing slips: day and month swapped, or one of day, month and year differs (the
    # year by one digit only).
    year_digits_differing = sum(
        a != b for a, b in zip(f"{query.year:04}", f"{stored.year:04}", strict=True)
    )
    nearly = (
        (query.year, query.month, query.day) == (stored.year, stored.day, stored.month)
        or (query.year, query.month) == (stored.year, stored.month)
        or (query.year, query.day) == (stored.year, stored.day)
        or ((query.month, query.day) == (stored.month, stored.day) and year_digits_differing == 1)
    )
    return MatchReason.NEARLY_SAME_BIRTH_DATE if nearly else MatchReason.DIFFERENT_BIRTH_DATE


def _name_reason(likeness: Likeness, same: MatchReason) -> MatchReason | None:
    if likeness == Likeness.SAME:
        return same
    return _LIKENESS_REASON.get(likeness)


@dataclass(frozen=True)
class _Comparison:
    """Everything that is compared between what was typed and one stored person."""

    direct_family: Likeness
    direct_given: Likeness
    swapped_family: Likeness  # the typed given name against the stored family name
    swapped_given: Likeness  # the typed family name against the stored given name
    birth: MatchReason | None
    same_number: bool
    conflict: bool  # both have a national number and they differ


def _comparison(query: MatchQuery, candidate: Candidate) -> _Comparison:
    keys = query.keys
    query_family = f"{query.name_prefix} {query.family_name}"
    stored_family = f"{candidate.name_prefix} {candidate.family_name}"
    stored_number = candidate.national_number or ""
    same_number = bool(query.national_number) and query.national_number == stored_number
    return _Comparison(
        direct_family=_compare(
            query_family,
            keys.name_key,
            keys.phonetic_key,
            stored_family,
            candidate.name_key,
            candidate.phonetic_key,
            typing_slips=True,
        ),
        direct_given=_compare_given_names(query, candidate),
        # Given and family name entered the other way round.
        swapped_family=_compare(
            first_given_name(query.given_names),
            keys.given_name_key,
            keys.given_phonetic_key,
            stored_family,
            candidate.name_key,
            candidate.phonetic_key,
        ),
        swapped_given=_compare(
            query_family,
            keys.name_key,
            keys.phonetic_key,
            first_given_name(candidate.given_names),
            candidate.given_name_key,
            candidate.given_phonetic_key,
        ),
        birth=_compare_birth_dates(
            query.birth_date, candidate.birth_date, candidate.birth_date_approximate
        ),
        same_number=same_number,
        conflict=bool(query.national_number and stored_number) and not same_number,
    )


def _name_points(family: Likeness, given: Likeness, *, swapped: bool) -> int:
    points = FAMILY_POINTS.get(family, 0) + GIVEN_POINTS.get(given, 0)
    return points - SWAPPED_PENALTY if swapped else points


def _name_reasons(family: Likeness, given: Likeness, *, swapped: bool) -> list[MatchReason]:
    if swapped:
        found = [MatchReason.NAMES_SWAPPED, _LIKENESS_REASON.get(family), _LIKENESS_REASON.get(given)]
    else:
        found = [
            _name_reason(family, MatchReason.SAME_FAMILY_NAME),
            _name_reason(given, MatchReason.SAME_GIVEN_NAME),
        ]
    return [reason for reason in found if reason is not None]


def _with_reasons(reasons: list[MatchReason], more: list[MatchReason]) -> tuple[MatchReason, ...]:
    for reason in more:
        if reason not in reasons:
            reasons.append(reason)
    return tuple(reasons)


def assess_candidate(query: MatchQuery, candidate: Candidate) -> Match | None:
    """Score one stored person against the query; ``None`` when not worth proposing.

    For a person the user knows from a case they may see. Rules: the same national
    number always proposes, first. Otherwise the given name must be alike in some way,
    and so must the family name unless the date of birth is the same (a family name may
    change); a different national number proposes only with the same date of birth,
    flagged as a conflict. (Any other person: ``assess_unseen_candidate``.)
    """
    c = _comparison(query, candidate)
    direct = _name_points(c.direct_family, c.direct_given, swapped=False)
    swapped = _name_points(c.swapped_family, c.swapped_given, swapped=True)
    names_swapped = bool(c.swapped_family and c.swapped_given) and swapped > direct
    if names_swapped:
        family, given, name_points = c.swapped_family, c.swapped_given, swapped
    else:
        family, given, name_points = c.direct_family, c.direct_given, direct

    birth = c.birth
    score = name_points + BIRTH_POINTS.get(birth, 0)

    if c.same_number:
        score += SAME_NATIONAL_NUMBER_POINTS
    elif (
        not given
        or (not family and birth != MatchReason.SAME_BIRTH_DATE)
        or (c.conflict and birth != MatchReason.SAME_BIRTH_DATE)
        or score < PROPOSAL_THRESHOLD
    ):
        return None

    reasons: list[MatchReason] = []
    if c.same_number:
        reasons.append(MatchReason.SAME_NATIONAL_NUMBER)
    if c.conflict:
        reasons.append(MatchReason.DIFFERENT_NATIONAL_NUMBER)
    if birth is not None:
        reasons.append(birth)
    return Match(
        person=candidate,
        score=score,
        reasons=_with_reasons(reasons, _name_reasons(family, given, swapped=names_swapped)),
        same_national_number=c.same_number,
        conflict=c.conflict,
    )


# A person the user does not know from a case they may see is proposed only when the user
# has typed enough to identify the person: family AND given name alike -- written the
# same, transliterated, a spelling variant of names.yaml or sounding alike; not a typing
# slip, an initial or another of the given names -- AND the same date of birth or the
# same national number. Names typed the other way round must be more than sounding alike.
IDENTIFYING_LIKENESS = Likeness.SOUNDS_ALIKE
IDENTIFYING_SWAPPED_LIKENESS = Likeness.SPELLING_VARIANT


def assess_unseen_candidate(query: MatchQuery, candidate: Candidate) -> Match | None:
    """A proposal of a person the user does not know from a case they may see, or ``None``.

    Never from a national number, a date of birth or a name alone (that would let anyone
    find out who has a number, or the family name of whoever was born on a day): see
    ``IDENTIFYING_LIKENESS``. A stored national number that differs from the typed one
    proposes nothing (saying so would tell something the user did not type). What is
    proposed carries only what matched the typing: the reasons that matched, a score of
    them alone, the date of birth only when the same was typed; ``known_elsewhere`` marks
    it so that the user links the person instead of registering a duplicate.
    """
    c = _comparison(query, candidate)
    same_birth = c.birth == MatchReason.SAME_BIRTH_DATE
    if c.conflict or not (same_birth or c.same_number):
        return None
    if c.direct_family >= IDENTIFYING_LIKENESS and c.direct_given >= IDENTIFYING_LIKENESS:
        family, given, swapped = c.direct_family, c.direct_given, False
    elif (
        c.swapped_family >= IDENTIFYING_SWAPPED_LIKENESS
        and c.swapped_given >= IDENTIFYING_SWAPPED_LIKENESS
    ):
        family, given, swapped = c.swapped_family, c.swapped_given, True
    else:
        return None

    score = _name_points(family, given, swapped=swapped)
    reasons: list[MatchReason] = []
    if c.same_number:
        score += SAME_NATIONAL_NUMBER_POINTS
        reasons.append(MatchReason.SAME_NATIONAL_NUMBER)
    if same_birth:
        score += BIRTH_POINTS[MatchReason.SAME_BIRTH_DATE]
        reasons.append(MatchReason.SAME_BIRTH_DATE)
    return Match(
        person=candidate,
        score=score,
        reasons=_with_reasons(reasons, _name_reasons(family, given, swapped=swapped)),
        same_national_number=c.same_number,
        known_elsewhere=True,
        birth_date_shown=same_birth,
    )


def rank_matches(matches: list[Match], limit: int) -> list[Match]:
    """The same national number first, then by score; ties in a stable order."""
    ordered = sorted(
        matches, key=lambda m: (not m.same_national_number, -m.score, getattr(m.person, "pk", 0))
    )
    return ordered[:limit]
