"""Fictional names for generated persons, with the spelling variants people really write.

Variant groups come from ``persons/names.yaml`` (the same groups the duplicate search
knows), so a family registered twice under "Peeters" and "Pieters" is proposed as a match.
"""

from __future__ import annotations

import functools

import yaml

from ketenplan.persons.matching import NAMES_FILE

FAMILY_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Dubois", "Hermans", "Aerts", "Lambert", "Martens", "Dupont",
    "Van den Broeck", "Vermeulen", "Declercq", "Leclercq", "Verstraete", "De Backer",
    "Van Damme", "Smets", "Stevens", "Hendrickx", "Michiels", "Desmet", "Coppens", "Vos",
    "Yilmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "El Amrani", "El Idrissi",
    "Benali", "Bouzid", "Haddou", "Nguyen", "Kowalski", "Nowak", "Ivanov", "Shevchenko",
    "De Vries", "Bakker", "Visser", "Smit", "Meijer", "De Boer", "Mulder", "De Groot",
    "Van Dijk", "Bos", "Jansen", "Dekker", "Van Leeuwen", "Brouwer", "Hoekstra", "Kok",
]  # fmt: skip
FEMALE = [
    "Sofie", "Els", "Katrien", "Ilse", "An", "Sarah", "Lotte", "Emma", "Nathalie", "Fatima",
    "Aicha", "Khadija", "Maria", "Olena", "Anna", "Julie", "Lien", "Marieke", "Ayse",
    "Nadia", "Hanna", "Eva", "Inge", "Griet", "Leen", "Hilde", "Sanne", "Fleur",
]  # fmt: skip
MALE = [
    "Jan", "Pieter", "Kristof", "Koen", "Joost", "Tom", "Bart", "Wim", "Dirk", "Mohamed",
    "Youssef", "Ahmed", "Mustafa", "Ibrahim", "Hassan", "Hussein", "Aleksandr", "Dmitri",
    "Mikhail", "Stijn", "Wouter", "Geert", "Luc", "Bram", "Thomas", "Daan", "Sem",
]  # fmt: skip
CHILDREN = [
    "Noah", "Emma", "Liam", "Olivia", "Louis", "Mila", "Adam", "Nora", "Lucas", "Amira",
    "Yasmine", "Rayan", "Lina", "Arthur", "Elena", "Victor", "Sofia", "Finn", "Lea", "Milan",
]  # fmt: skip


@functools.cache
def variant_groups() -> dict[str, tuple[str, ...]]:
    """``{spelling: (every spelling of that name)}`` from names.yaml."""
    raw = yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8"))
    groups: dict[str, tuple[str, ...]] = {}
    for section in ("given_names", "family_names"):
        for group in raw.get(section) or []:
            spellings = tuple(str(n) for n in group)
            for name in spellings:
                groups[name] = spellings
    return groups


def spelled(name: str, rng, variant_rate: float = 0.15) -> str:
    """``name``, or now and then another way of writing it."""
    if rng.random() >= variant_rate:
        return name
    group = variant_groups().get(name)
    if group:
        return rng.choice(group)
    roll = rng.random()
    if roll < 0.4:
        return name.upper() if rng.random() < 0.3 else name.lower()
    if roll < 0.7 and " " in name:
        return name.replace(" ", "")
    return name
