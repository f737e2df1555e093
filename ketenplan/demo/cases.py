# ruff: noqa: E501, RUF001  (scenario texts read best on one line; Turkish names keep their dotless i)
"""The demo cases: about forty fictional families of the Scheldevallei district, spread
over every stage of the case path and every outcome (METHOD.md §3).

Every family here is invented: Flemish and Dutch names and names of families with a
Moroccan, Turkish, Polish and Syrian background, as in any Flemish district; street
names and towns are made up, e-mail addresses end in ``.example``.

A ``Scenario`` says who the family is, who registered it and how far its case got
(``reached``, and ``closing`` when it closed); ``story.py`` tells it through the real
services, one chapter per aspect (``CHAPTERS``), and ``backdate.py`` makes its history
realistic in time afterwards. Days count from the registration (day 0).

To add an aspect (consent, risk assessments, meetings): add the fields it needs to
``Scenario`` (with a default, so existing scenarios stay as they are), write a chapter in
``story.py`` and put it in ``CHAPTERS`` where it happens in the life of a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ketenplan.cases.models import Case, MemberRole, Stage, ViolenceKind
from ketenplan.persons.models import Person, RelationKind

from . import story as chapters
from .backdate import History, backdate

F, M = Person.Gender.FEMALE, Person.Gender.MALE
VICTIM, PERPETRATOR = MemberRole.VICTIM, MemberRole.ALLEGED_PERPETRATOR
CHILD_VICTIM, CHILD_WITNESS = MemberRole.CHILD_VICTIM, MemberRole.CHILD_WITNESS
HOUSEHOLD, RELATIVE = MemberRole.HOUSEHOLD_MEMBER, MemberRole.RELATIVE
PARTNER, CHILD, ELDER, HONOUR = ViolenceKind.PARTNER, ViolenceKind.CHILD, ViolenceKind.ELDER, ViolenceKind.HONOUR
PARENT, SIBLING, EX_PARTNER = RelationKind.PARENT, RelationKind.SIBLING, RelationKind.EX_PARTNER


@dataclass(frozen=True)
class Member:
    """A person of the family, with their roles in this case."""

    given_names: str
    family_name: str
    born: str  # ISO date
    gender: str
    roles: tuple[str, ...]
    name_prefix: str = ""
    nationality: str = "Belgisch"
    language: str = "Nederlands"
    same_as: str = ""  # "scenario key/member key": the person known from an earlier case

    @property
    def key(self) -> str:
        return self.given_names.split()[0].lower()

    def person_fields(self) -> dict:
        return {
            "given_names": self.given_names,
            "family_name": self.family_name,
            "name_prefix": self.name_prefix,
            "birth_date": date.fromisoformat(self.born),
            "gender": self.gender,
            "nationality": self.nationality,
            "language": self.language,
        }


def victim(given, family, born, gender=F, **kw) -> Member:
    return Member(given, family, born, gender, (VICTIM,), **kw)


def perpetrator(given, family, born, gender=M, **kw) -> Member:
    return Member(given, family, born, gender, (PERPETRATOR,), **kw)


def witness(given, family, born, gender, **kw) -> Member:
    """A child who witnessed the violence."""
    return Member(given, family, born, gender, (CHILD_WITNESS,), **kw)


def child_victim(given, family, born, gender, **kw) -> Member:
    return Member(given, family, born, gender, (CHILD_VICTIM,), **kw)


def known(member: Member, same_as: str) -> Member:
    """The same person, registered again in a later case."""
    return Member(**{**member.__dict__, "same_as": same_as})


MOROCCAN = {"nationality": "Belgisch", "language": "Nederlands, Arabisch"}
TURKISH = {"nationality": "Belgisch", "language": "Nederlands, Turks"}
TURKISH_NEWCOMER = {"nationality": "Turks", "language": "Turks (tolk nodig)"}
POLISH = {"nationality": "Pools", "language": "Pools (tolk nodig)"}
SYRIAN = {"nationality": "Syrisch", "language": "Arabisch (tolk nodig)"}
DUTCH = {"nationality": "Nederlands", "language": "Nederlands"}

TOWNS = {
    "Dorpstad": "9999",
    "Scheldeveld": "9998",
    "Meersbeke": "9997",
    "Heidebos": "9996",
    "Kouterdonk": "9995",
    "Wilgendaal": "9994",
}


def home(street: str, town: str) -> str:
    """A fictional address in one of the district's invented towns."""
    return f"{street}\n{TOWNS[town]} {town}"


@dataclass(frozen=True)
class Closing:
    """How the case closed: on a day, or at an evaluation that decided to close."""

    outcome: str
    day: int | None = None
    at_evaluation: str = ""
    follow_up_months: int = 6
    follow_up_done: bool = False


@dataclass(frozen=True)
class Revision:
    """A new plan version because the situation changed: on a day, or decided at an
    evaluation; approved some days later, or still a draft (``approved_after_days``
    None). ``new_goal``: (life domain, organisation, about, text)."""

    reason: str
    day: int | None = None
    at_evaluation: str = ""
    new_goal: tuple[str, ...] = ()
    approved_after_days: int | None = None


@dataclass(frozen=True)
class Scenario:
    key: str
    family: str
    members: tuple[Member, ...]
    referrer: str  # e-mail local part of the professional who registers
    registered_days_ago: int
    reason: str
    violence: tuple[str, ...]
    domains: tuple[str, ...]  # life domains with problems, most pressing first
    reached: str  # the furthest stage the case got to
    crisis_measures: str = ""
    address: str = ""  # the family home
    addresses: dict = field(default_factory=dict)  # member key -> another address
    couple: str = RelationKind.PARTNER  # victim and perpetrator; "" when not a couple
    relations: tuple[tuple[str, str, str], ...] = ()  # replaces the usual relations
    shelter: tuple[str, ...] = ()  # members living at the shelter's confidential address
    shelter_day: int = 0
    coordinator: str = "annelies.vermeulen"
    director: str = ""
    partners: tuple[str, ...] = ()  # network partners that join at intake
    admissible: bool = True
    unmet_criteria: tuple[str, ...] = ("very_unsafe", "complex", "help_stuck")
    advice: str = ""  # to the referrer, when not admissible
    risk: str = "high"
    requests: tuple[tuple[str, str], ...] = (("ocmw", "answered"),)  # (to, answered/open/overdue/declined)
    plan_progress: str = "complete"  # a plan still in planning: "started" or "complete"
    police_before: tuple[int, ...] = ()  # days of interventions (before registration: negative)
    police_after: tuple[int, ...] = ()
    waiting_referral: bool = False
    late_evaluations: tuple[str, ...] = ()  # evaluations not held although due
    revision: Revision | None = None
    closing: Closing | None = None
    pace: float = 1.0  # 1.3: a slow case, 0.8: a fast one


REGISTERED, INTAKE, DOSSIER, WEIGHING, PLANNING, EXECUTION = (
    Stage.REGISTERED, Stage.INTAKE, Stage.DOSSIER, Stage.WEIGHING, Stage.PLANNING, Stage.EXECUTION,
)

# === The families ==========================================================================

LEMMENS = (
    victim("Veronique", "Lemmens", "1978-09-09"),
    perpetrator("Geert", "Lemmens", "1975-02-02"),
    witness("Jelle", "Lemmens", "2009-04-04", M),
    witness("Amber", "Lemmens", "2012-10-10", F),
)
BOUZIDI = (
    victim("Samira", "Bouzidi", "1987-12-12", **MOROCCAN),
    perpetrator("Mohamed", "Bouzidi", "1984-03-07", **MOROCCAN),
    witness("Nassim", "Bouzidi", "2012-04-04", M, **MOROCCAN),
    witness("Amira", "Bouzidi", "2015-08-15", F, **MOROCCAN),
)

SCENARIOS: list[Scenario] = [
    # --- Registered, waiting for the admissibility decision ------------------------------
    Scenario(
        key="kaya", family="Gezin Kaya", referrer="koen.peeters", registered_days_ago=1, reached=REGISTERED,
        members=(
            victim("Elif", "Kaya", "1992-05-14", **TURKISH),
            perpetrator("Murat", "Kaya", "1989-09-02", **TURKISH),
            witness("Deniz", "Kaya", "2016-03-11", F, **TURKISH),
            witness("Emir", "Kaya", "2020-07-29", M, **TURKISH),
            Member("Hakan", "Kaya", "1986-01-20", M, (RELATIVE, PERPETRATOR), **TURKISH),
        ),
        relations=(("elif", "partner", "murat"), ("elif", PARENT, "deniz"), ("elif", PARENT, "emir"), ("murat", PARENT, "deniz"), ("murat", PARENT, "emir"), ("hakan", SIBLING, "murat")),
        reason="Derde interventie dit jaar. Elif wil scheiden en wordt door haar man en zijn broer Hakan bedreigd: de familie dreigt haar de kinderen af te nemen en haar naar Turkije te sturen.",
        violence=(PARTNER, HONOUR), domains=("safety", "household-parenting", "social-network", "justice"),
        crisis_measures="Tijdelijk huisverbod voor Murat (14 dagen); Elif en de kinderen blijven in de woning.",
        address=home("Populierenlaan 14", "Dorpstad"),
    ),
    Scenario(
        # Mohammed Bouzidi is known as "Mohamed Bouzidi" from the Bouzidi case: the same
        # man (same date of birth), written differently at the hospital.
        key="ouhadi", family="Gezin Ouhadi", referrer="katrien.bosmans", registered_days_ago=2, reached=REGISTERED,
        members=(
            victim("Naima", "Ouhadi", "1995-11-03", **MOROCCAN),
            perpetrator("Mohammed", "Bouzidi", "1984-03-07", **MOROCCAN),
            witness("Rayan", "Bouzidi", "2023-02-14", M, **MOROCCAN),
        ),
        reason="Naima kwam op spoed met een gebroken neus en kneuzingen. Eerst zei ze dat ze gevallen was; later vertelde ze de verpleegkundige dat haar partner haar slaat. Hun zoontje van twee is thuis.",
        violence=(PARTNER,), domains=("safety", "physical-health", "housing"),
        crisis_measures="Veiligheidsplan met de sociaal verpleegkundige; Naima verblijft voorlopig bij haar moeder.",
        address=home("Sint-Annastraat 3", "Meersbeke"),
    ),
    Scenario(
        key="lemmens-again", family="Gezin Lemmens", referrer="koen.peeters", registered_days_ago=6, reached=REGISTERED,
        members=tuple(known(m, f"lemmens/{m.key}") for m in LEMMENS),
        reason="Nieuwe interventie: Geert stond opnieuw dronken aan de deur en sloeg een ruit in. Het gezin werd acht maanden geleden afgesloten in de ketenaanpak.",
        violence=(PARTNER, CHILD), domains=("safety", "substance-use", "household-parenting"),
        crisis_measures="Pv opgesteld; Geert werd bestuurlijk aangehouden.",
    ),
    Scenario(
        key="nowak", family="Gezin Nowak", referrer="lotte.michiels", registered_days_ago=3, reached=REGISTERED,
        members=(
            Member("Agnieszka", "Nowak", "1990-08-19", F, (HOUSEHOLD,), **POLISH),
            child_victim("Kacper", "Nowak", "2013-04-02", M, **POLISH),
            witness("Zofia", "Nowak", "2017-10-15", F, **POLISH),
            perpetrator("Paweł", "Wróbel", "1987-06-30", **POLISH),
        ),
        relations=(("agnieszka", "partner", "paweł"), ("agnieszka", PARENT, "kacper"), ("agnieszka", PARENT, "zofia"), ("paweł", PARENT, "zofia"), ("paweł", RelationKind.HOUSEHOLD_MEMBER, "kacper")),
        reason="Kacper (12) vertelde de CLB-medewerker dat zijn stiefvader hem met een riem slaat bij slechte punten. De turnleraar zag striemen op zijn rug.",
        violence=(CHILD,), domains=("safety", "child-development", "household-parenting", "work-education"),
        crisis_measures="Gesprek met de moeder op school; melding bij het Vertrouwenscentrum Kindermishandeling.",
        address=home("Molenweg 27 bus 2", "Heidebos"),
    ),
    # --- Not admissible: closed with written advice ---------------------------------------
    Scenario(
        key="verbeke", family="Gezin Verbeke", referrer="sofie.claes", registered_days_ago=30, reached=REGISTERED,
        coordinator="bart.declercq", admissible=False,
        members=(victim("Ilse", "Verbeke", "1979-02-11"), perpetrator("Patrick", "Verbeke", "1977-12-05")),
        reason="Ruzie na een familiefeest waarbij Patrick zijn vrouw duwde; geen letsels. Het koppel gaat al in relatietherapie bij het CAW.",
        violence=(PARTNER,), domains=("safety",),
        advice="Niet ontvankelijk: eenmalig incident en de hulp loopt. Advies: de relatietherapie bij het CAW verderzetten, het veiligheidsplan met Ilse bespreken en opnieuw aanmelden bij een nieuw incident.",
        address=home("Beukenhof 8", "Kouterdonk"),
    ),
    Scenario(
        key="demir", family="Gezin Demir", referrer="nadia.elamrani", registered_days_ago=75, reached=REGISTERED,
        admissible=False, unmet_criteria=("very_unsafe", "complex", "multiple_domains"),
        members=(victim("Ayşe", "Demir", "1996-06-22", **TURKISH), perpetrator("Emre", "Demir", "1994-10-09", **TURKISH)),
        reason="Veel verbale ruzies en jaloezie sinds het huwelijk; Ayşe voelt zich gecontroleerd (gsm, kledij, vriendinnen). Geen fysiek geweld, geen kinderen.",
        violence=(PARTNER,), domains=("safety", "social-network"),
        advice="Niet ontvankelijk: de zorgen beperken zich tot de relatie en er is geen acuut gevaar. Advies: begeleiding bij het CAW rond controlerend gedrag, Ayşe informeren over 1712 en opnieuw aanmelden als de situatie escaleert.",
        address=home("Kanaalstraat 51", "Dorpstad"),
    ),
    Scenario(
        key="van-hoof", family="Familie Van Hoof", referrer="katrien.bosmans", registered_days_ago=140, reached=REGISTERED,
        admissible=False, couple="",
        members=(victim("Maria", "Van Hoof", "1938-04-30"), perpetrator("Luc", "Van Hoof", "1966-08-17")),
        relations=(("maria", PARENT, "luc"),),
        reason="Maria (87) werd opgenomen na een val. De familie vermoedt dat haar zoon, bij wie ze inwoont, geld van haar rekening haalt en haar soms in haar kamer opsluit.",
        violence=(ELDER,), domains=("finances", "physical-health"),
        advice="Niet ontvankelijk: zorgen over financieel misbruik, maar geen aanwijzingen voor een zeer onveilige situatie en de hulp is nog niet vastgelopen. Advies: het meldpunt ouderenmis(be)handeling (1712) inschakelen, een bewindvoerder laten aanvragen en de thuiszorg versterken.",
        crisis_measures="De sociale dienst van het ziekenhuis contacteerde de huisarts.",
        address=home("Kerkplein 2", "Wilgendaal"),
    ),
    # --- Intake --------------------------------------------------------------------------
    Scenario(
        key="haddad", family="Gezin Haddad", referrer="fatma.yilmaz", registered_days_ago=6, reached=INTAKE,
        members=(
            victim("Rania", "Haddad", "1991-01-17", **SYRIAN),
            perpetrator("Samer", "Haddad", "1985-05-05", **SYRIAN),
            witness("Yara", "Haddad", "2013-09-23", F, **SYRIAN),
            witness("Omar", "Haddad", "2016-12-01", M, **SYRIAN),
            witness("Lina", "Haddad", "2021-06-10", F, **SYRIAN),
        ),
        shelter=("rania",), partners=("clb",),
        reason="Rania vluchtte met de drie kinderen naar het vluchthuis na jaren van geweld en opsluiting. Samer zoekt haar via de moskee en de familie. De kinderen gaan uit angst niet meer naar school.",
        violence=(PARTNER, CHILD), domains=("safety", "housing", "finances", "child-development", "work-education"),
        crisis_measures="Opvang in Vluchthuis De Linde op een afgeschermd adres; pv bij de politie.",
        address=home("Stationsstraat 112", "Scheldeveld"),
    ),
    Scenario(
        key="de-wilde", family="Gezin De Wilde", referrer="koen.peeters", registered_days_ago=9, reached=INTAKE,
        members=(
            victim("Kim", "De Wilde", "1987-07-07"),
            perpetrator("Sven", "Van Laere", "1984-03-03"),
            witness("Noor", "Van Laere", "2012-11-19", F),
            witness("Jules", "Van Laere", "2015-02-26", M),
        ),
        couple=EX_PARTNER, partners=("lawyer",),
        addresses={"sven": home("Vaartdijk 9", "Meersbeke")},
        reason="Sinds de scheiding belaagt Sven zijn ex-partner: hij volgt haar, staat aan de school en stuurt dreigberichten. Vorige week bedreigde hij haar met de dood bij de overdracht van de kinderen.",
        violence=(PARTNER,), domains=("safety", "household-parenting", "justice", "mental-health"),
        crisis_measures="Pv voor belaging; contactverbod gevraagd aan het parket.",
        address=home("Lindestraat 33", "Dorpstad"),
    ),
    Scenario(
        key="zielinski", family="Gezin Zieliński", referrer="koen.peeters", registered_days_ago=14, reached=INTAKE,
        members=(
            victim("Katarzyna", "Zielińska", "1983-10-10", **POLISH),
            perpetrator("Marek", "Zieliński", "1980-12-24", **POLISH),
            witness("Julia", "Zielińska", "2008-05-18", F, **POLISH),
            child_victim("Jakub", "Zieliński", "2011-08-08", M, **POLISH),
        ),
        partners=("cad",), police_before=(-40, -1),
        reason="Marek drinkt dagelijks sinds hij zijn werk verloor. Hij sloeg Jakub (14) toen die tussenkwam bij een ruzie; Julia (17) belde de politie.",
        violence=(PARTNER, CHILD), domains=("safety", "substance-use", "finances", "child-development"),
        crisis_measures="Marek bracht de nacht door in de cel; tijdelijk huisverbod van tien dagen.",
        address=home("Weverstraat 4", "Heidebos"),
    ),
    # --- Dossier -------------------------------------------------------------------------
    Scenario(
        key="el-idrissi", family="Gezin El Idrissi", referrer="koen.peeters", registered_days_ago=18, reached=DOSSIER,
        members=(
            victim("Khadija", "El Idrissi", "1990-02-28", **MOROCCAN),
            perpetrator("Karim", "El Idrissi", "1988-07-13", **MOROCCAN),
            witness("Ilyas", "El Idrissi", "2014-01-06", M, **MOROCCAN),
            witness("Sara", "El Idrissi", "2018-04-21", F, **MOROCCAN),
        ),
        partners=("clb",), requests=(("parket", "open"),), police_before=(-100, -2),
        reason="Karim controleert Khadija volledig: gsm, geld, contacten. Bij het laatste incident werd ze gewurgd tot ze bijna het bewustzijn verloor. Ilyas zag het gebeuren.",
        violence=(PARTNER,), domains=("safety", "finances", "social-network", "child-development", "justice"),
        crisis_measures="Huisverbod van 14 dagen; Khadija en de kinderen blijven in de woning.",
        address=home("Bosstraat 18", "Scheldeveld"),
    ),
    Scenario(
        key="pauwels", family="Gezin Pauwels", referrer="nadia.elamrani", registered_days_ago=25, reached=DOSSIER,
        coordinator="bart.declercq",
        members=(
            victim("Evelien", "Pauwels", "1985-09-09"),
            perpetrator("Bert", "Pauwels", "1982-04-04"),
            witness("Lars", "Pauwels", "2010-06-06", M),
            witness("Mila", "Pauwels", "2014-12-12", F),
        ),
        requests=(("ocmw", "answered"), ("cgg", "open")),
        reason="Bert heeft een gokverslaving; het gezin verloor de woning. Bij ruzies over geld wordt Evelien geslagen. De kinderen slapen sinds twee weken bij de grootouders.",
        violence=(PARTNER,), domains=("safety", "housing", "finances", "mental-health", "household-parenting"),
        crisis_measures="Evelien en de kinderen verblijven tijdelijk bij haar ouders.",
        address=home("Kastanjelaan 6", "Kouterdonk"),
    ),
    Scenario(
        key="celik", family="Gezin Çelik", referrer="sofie.claes", registered_days_ago=33, reached=DOSSIER,
        members=(
            victim("Zeynep", "Çelik", "1979-03-16", **TURKISH_NEWCOMER),
            perpetrator("Mehmet", "Çelik", "1976-11-11", **TURKISH),
            Member("Burak", "Çelik", "2006-02-02", M, (HOUSEHOLD,), **TURKISH),
            witness("Ela", "Çelik", "2012-07-07", F, **TURKISH),
        ),
        requests=(("jh", "overdue"), ("hospital", "answered")), police_before=(-210, -5),
        reason="Langdurig geweld binnen het huwelijk; Zeynep spreekt weinig Nederlands en durft niet te vertrekken. De oudste zoon Burak neemt het op voor zijn moeder en werd door zijn vader met een mes bedreigd.",
        violence=(PARTNER,), domains=("safety", "work-education", "social-network", "justice", "mental-health"),
        crisis_measures="Pv; Mehmet werd verhoord. Geen huisverbod: hij was vertrokken bij aankomst van de politie.",
        address=home("Brouwerijstraat 21", "Dorpstad"),
    ),
    Scenario(
        key="bogaert", family="Familie Bogaert", referrer="katrien.bosmans", registered_days_ago=40, reached=DOSSIER,
        couple="",
        members=(
            victim("Jeanne", "Bogaert", "1941-05-25"),
            perpetrator("Danny", "Bogaert", "1972-09-30"),
            Member("Chantal", "Bogaert", "1969-01-14", F, (RELATIVE,)),
        ),
        relations=(("jeanne", PARENT, "danny"), ("jeanne", PARENT, "chantal"), ("danny", SIBLING, "chantal")),
        addresses={"chantal": home("Dorpsstraat 70", "Wilgendaal")},
        partners=("cad",), requests=(("ocmw", "answered"), ("cad", "open")),
        reason="Jeanne (84) werd voor de tweede keer opgenomen met blauwe plekken. Haar zoon Danny woont bij haar in, drinkt veel en neemt haar pensioen af. Dochter Chantal maakt zich grote zorgen maar wordt door Danny buitengehouden.",
        violence=(ELDER,), domains=("safety", "finances", "substance-use", "physical-health", "housing"),
        crisis_measures="Opname in het ziekenhuis; de huisarts is verwittigd.",
        address=home("Hoogstraat 102", "Heidebos"),
    ),
    Scenario(
        key="al-sayed", family="Gezin Al-Sayed", referrer="koen.peeters", registered_days_ago=55, reached=DOSSIER,
        members=(
            victim("Hiba", "Al-Sayed", "1994-08-08", **SYRIAN),
            perpetrator("Ahmad", "Al-Sayed", "1990-10-10", **SYRIAN),
            witness("Tarek", "Al-Sayed", "2018-03-03", M, **SYRIAN),
            witness("Maya", "Al-Sayed", "2020-09-09", F, **SYRIAN),
        ),
        shelter=("hiba",), shelter_day=3, partners=("shelter", "lawyer"),
        requests=(("parket", "overdue"), ("cgg", "answered"), ("vk", "declined")), police_before=(-60, -1),
        reason="Ahmad sloot Hiba op en dreigde haar te doden als ze zou vertrekken; hij nam haar verblijfsdocumenten af. Na een interventie vluchtte ze met de kinderen naar het vluchthuis.",
        violence=(PARTNER, HONOUR), domains=("safety", "housing", "justice", "finances", "child-development"),
        crisis_measures="Pv voor bedreiging en opsluiting; opvang in Vluchthuis De Linde.",
        address=home("Nijverheidslaan 40", "Scheldeveld"),
    ),
    # --- Risk weighing -------------------------------------------------------------------
    Scenario(
        key="vermeersch", family="Gezin Vermeersch", referrer="koen.peeters", registered_days_ago=32, reached=WEIGHING,
        members=(
            victim("Lien", "Vermeersch", "1998-12-01"),
            perpetrator("Jonas", "De Keyser", "1996-06-16"),
            witness("Fien", "Vermeersch", "2022-05-05", F),
        ),
        requests=(("cgg", "answered"),), police_before=(-20,),
        reason="Jong koppel met een dochtertje van drie. Jonas sloeg Lien tijdens haar zwangerschap en dreigt met zelfmoord als ze hem verlaat.",
        violence=(PARTNER,), domains=("safety", "mental-health", "housing", "household-parenting"),
        crisis_measures="Huisverbod; Jonas in crisisopvang bij het CGG.",
        address=home("Meersstraat 12", "Meersbeke"),
    ),
    Scenario(
        key="lewandowska", family="Gezin Lewandowski", referrer="nadia.elamrani", registered_days_ago=38, reached=WEIGHING,
        members=(
            victim("Monika", "Lewandowska", "1986-04-14", **POLISH),
            perpetrator("Piotr", "Lewandowski", "1984-02-22", **POLISH),
            child_victim("Oliwia", "Lewandowska", "2011-01-25", F, **POLISH),
        ),
        requests=(("vk", "answered"), ("clb", "answered")),
        reason="Piotr controleert het gezin en slaat Oliwia (14) bij conflicten. Monika werkt in de schoonmaak, is financieel afhankelijk en spreekt beperkt Nederlands.",
        violence=(PARTNER, CHILD), domains=("safety", "child-development", "finances", "work-education"),
        crisis_measures="Melding aan het Vertrouwenscentrum; Oliwia verblijft tijdelijk bij een tante.",
        address=home("Akkerstraat 5", "Kouterdonk"),
    ),
    Scenario(
        key="tahiri", family="Gezin Tahiri", referrer="lotte.michiels", registered_days_ago=45, reached=WEIGHING,
        coordinator="bart.declercq",
        members=(
            victim("Fatima", "Tahiri", "1982-07-19", **MOROCCAN),
            perpetrator("Rachid", "Tahiri", "1978-03-08", **MOROCCAN),
            witness("Adam", "Tahiri", "2010-10-30", M, **MOROCCAN),
            witness("Yasmine", "Tahiri", "2013-06-14", F, **MOROCCAN),
            witness("Bilal", "Tahiri", "2017-02-09", M, **MOROCCAN),
        ),
        requests=(("police", "answered"), ("cgg", "open")),
        reason="Adam vertelde op school dat zijn vader zijn moeder vorige week met een stoel sloeg. De kinderen zijn bang om naar huis te gaan. Eerdere klachten bij de politie werden ingetrokken.",
        violence=(PARTNER,), domains=("safety", "child-development", "household-parenting", "mental-health"),
        crisis_measures="Gesprek met de moeder op school; de wijkinspecteur is verwittigd.",
        address=home("Tulpenstraat 19", "Dorpstad"),
    ),
    # --- Low or medium risk: closed with advice ---------------------------------------------
    Scenario(
        key="coppens", family="Gezin Coppens", referrer="sofie.claes", registered_days_ago=50, reached=WEIGHING, risk="low",
        members=(
            victim("Sandra", "Coppens", "1975-10-02"),
            perpetrator("Eddy", "Coppens", "1973-05-15"),
            witness("Robbe", "Coppens", "2009-09-19", M),
        ),
        reason="Na zijn ontslag had Eddy een woedeaanval waarbij hij Sandra duwde en een deur intrapte. Beide partners zijn geschrokken en zoeken zelf hulp.",
        violence=(PARTNER,), domains=("safety", "work-education", "finances"),
        crisis_measures="Pv; Eddy verbleef twee nachten bij zijn broer.",
        address=home("Vijverstraat 3", "Wilgendaal"),
    ),
    Scenario(
        key="bouzidi", family="Gezin Bouzidi", referrer="koen.peeters", registered_days_ago=90, reached=WEIGHING, risk="medium",
        members=BOUZIDI, police_before=(-70, -3),
        reason="Herhaalde ruzies met duwen en trekken; Samira wil scheiden. Mohamed aanvaardt de scheiding niet en dreigt de kinderen mee te nemen naar Marokko.",
        violence=(PARTNER,), domains=("safety", "household-parenting", "justice"),
        crisis_measures="Pv; Samira kreeg het advies een advocaat te nemen voor de verblijfsregeling.",
        address=home("Pastoor Coplaan 22", "Scheldeveld"),
    ),
    Scenario(
        key="huybrechts", family="Gezin Huybrechts", referrer="nadia.elamrani", registered_days_ago=160, reached=WEIGHING, risk="medium",
        members=(
            victim("An", "Huybrechts", "1968-03-27"),
            perpetrator("Rudy", "Huybrechts", "1965-12-08"),
            Member("Elke", "Huybrechts", "1992-10-10", F, (RELATIVE,)),
        ),
        relations=(("an", "partner", "rudy"), ("an", PARENT, "elke"), ("rudy", PARENT, "elke")),
        addresses={"elke": home("Zandweg 7", "Meersbeke")},
        reason="Rudy is na een hersenbloeding veranderd: agressief en achterdochtig. An werd twee keer geslagen. Dochter Elke vraagt hulp.",
        violence=(PARTNER,), domains=("safety", "physical-health", "mental-health"),
        crisis_measures="Huisarts en neuroloog zijn verwittigd.",
        address=home("Boomgaardstraat 15", "Heidebos"),
    ),
    # --- Planning ------------------------------------------------------------------------
    Scenario(
        key="schepens", family="Gezin Schepens", referrer="koen.peeters", registered_days_ago=36, reached=PLANNING,
        director="tom.goossens", plan_progress="started", requests=(("parket", "answered"),), police_before=(-15,),
        members=(
            victim("Tine", "Schepens", "1989-05-05"),
            perpetrator("Dries", "Schepens", "1988-08-28"),
            witness("Lowie", "Schepens", "2016-04-17", M),
            witness("Ella", "Schepens", "2019-11-21", F),
        ),
        reason="Ernstige mishandeling met letsels aan het hoofd; Dries heeft een vergunning voor een vuurwapen. Tine wil bij hem blijven maar is bang.",
        violence=(PARTNER,), domains=("safety", "mental-health", "household-parenting", "justice"),
        crisis_measures="Huisverbod en inbeslagname van het wapen.",
        address=home("Hazelaarstraat 2", "Kouterdonk"),
    ),
    Scenario(
        key="aydin", family="Gezin Aydın", referrer="sofie.claes", registered_days_ago=42, reached=PLANNING,
        director="nadia.elamrani", coordinator="bart.declercq", partners=("clb",),
        members=(
            victim("Sevgi", "Aydın", "1990-09-30", **TURKISH),
            perpetrator("Kerem", "Aydın", "1987-04-24", **TURKISH),
            witness("Aylin", "Aydın", "2014-10-08", F, **TURKISH),
            witness("Can", "Aydın", "2018-05-12", M, **TURKISH),
        ),
        reason="Kerem pleegt al jaren psychisch en fysiek geweld; Sevgi werd met de dood bedreigd toen ze over scheiden begon. De schoonfamilie woont in dezelfde straat en oefent druk uit.",
        violence=(PARTNER, HONOUR), domains=("safety", "social-network", "finances", "child-development", "work-education"),
        crisis_measures="Huisverbod; Sevgi kreeg een stalkingalarm.",
        address=home("Ringlaan 88", "Dorpstad"),
    ),
    Scenario(
        key="van-de-velde", family="Gezin Van de Velde", referrer="koen.peeters", registered_days_ago=60, reached=PLANNING,
        director="pieter.vandenbroeck", partners=("cad",), pace=1.35, police_before=(-9,),
        members=(
            victim("Jolien", "Van de Velde", "1993-01-19"),
            perpetrator("Kenny", "Vanhove", "1990-07-01"),
            witness("Lucas", "Van de Velde", "2017-03-30", M),
        ),
        reason="Kenny gebruikt cocaïne en wordt dan gewelddadig; Jolien werd met een mes verwond aan de arm. Lucas heeft nachtmerries.",
        violence=(PARTNER,), domains=("safety", "substance-use", "child-development", "justice", "housing"),
        crisis_measures="Kenny werd aangehouden en onder voorwaarden vrijgelaten (contactverbod).",
        address=home("Kloosterstraat 41", "Scheldeveld"),
    ),
    Scenario(
        key="moreels", family="Gezin Moreels", referrer="koen.peeters", registered_days_ago=140, reached=EXECUTION,
        director="hilde.jacobs", police_before=(-30, -2),
        members=(
            victim("Heidi", "Moreels", "1984-06-09"),
            perpetrator("Stijn", "Moreels", "1983-02-17"),
            witness("Lore", "Moreels", "2011-07-23", F),
            witness("Bram", "Moreels", "2014-09-05", M),
        ),
        revision=Revision(
            day=130,
            reason="Heidi en Stijn gaan toch niet uit elkaar: Stijn is terug thuis na een opname. Het plan wordt herschreven rond veiligheid binnen het gezin in plaats van rond de scheiding.",
            new_goal=("mental-health", "cgg", "perpetrator", "{perpetrator} volgt een behandeling bij het CGG en een daderhulpprogramma, als voorwaarde om thuis te wonen."),
        ),
        reason="Escalerende ruzies sinds Stijn zijn zaak failliet ging; Heidi werd gewurgd. Ze wil scheiden en voorlopig bij haar zus wonen.",
        violence=(PARTNER,), domains=("safety", "housing", "finances", "household-parenting", "mental-health"),
        crisis_measures="Huisverbod; Heidi en de kinderen bij haar zus.",
        address=home("Veldstraat 60", "Wilgendaal"),
    ),
    # --- Execution -----------------------------------------------------------------------
    Scenario(
        key="verstraete", family="Gezin Verstraete", referrer="sofie.claes", registered_days_ago=46, reached=EXECUTION,
        director="tom.goossens", police_before=(-150, -40, -1),
        members=(
            victim("Charlotte", "Verstraete", "1995-07-11"),
            perpetrator("Arne", "Verstraete", "1994-03-23"),
            witness("Olivia", "Verstraete", "2021-09-30", F),
        ),
        reason="Arne sloeg Charlotte tijdens een ruzie over geld met een fles; ze liep een hoofdwonde op. Er waren eerder twee interventies.",
        violence=(PARTNER,), domains=("safety", "finances", "physical-health", "mental-health"),
        crisis_measures="Arne opgepakt; huisverbod van 14 dagen.",
        address=home("Leopoldlaan 9", "Dorpstad"),
    ),
    Scenario(
        key="kowalska", family="Gezin Kowalski", referrer="koen.peeters", registered_days_ago=60, reached=EXECUTION,
        director="tom.goossens", partners=("cad",), police_before=(-70, -2),
        members=(
            victim("Anna", "Kowalska", "1992-02-02", **POLISH),
            perpetrator("Krzysztof", "Kowalski", "1989-09-19", **POLISH),
            witness("Natalia", "Kowalska", "2019-04-08", F, **POLISH),
        ),
        reason="Krzysztof werkt als seizoensarbeider en wordt gewelddadig onder invloed. Anna heeft geen eigen inkomen en geen netwerk in België.",
        violence=(PARTNER,), domains=("safety", "finances", "substance-use", "social-network"),
        crisis_measures="Huisverbod; Anna kreeg uitleg over 1712, met een tolk.",
        address=home("Kouterstraat 3", "Kouterdonk"),
    ),
    Scenario(
        key="khalil", family="Gezin Khalil", referrer="koen.peeters", registered_days_ago=95, reached=EXECUTION,
        director="pieter.vandenbroeck", partners=("clb",), waiting_referral=True, police_before=(-30, -3),
        members=(
            victim("Reem", "Khalil", "1987-11-11", **SYRIAN),
            perpetrator("Bassam", "Khalil", "1981-06-06", **SYRIAN),
            child_victim("Hadi", "Khalil", "2012-03-21", M, **SYRIAN),
            witness("Nour", "Khalil", "2015-12-19", F, **SYRIAN),
        ),
        reason="Bassam, zelf getraumatiseerd door de oorlog, slaat bij woede-uitbarstingen zijn vrouw en zoon. Hadi (13) heeft zichtbare letsels en wil niet meer naar huis.",
        violence=(PARTNER, CHILD), domains=("child-development", "mental-health", "safety", "household-parenting", "work-education"),
        crisis_measures="Hadi tijdelijk in een crisispleeggezin; huisverbod voor Bassam.",
        address=home("Schoolstraat 25", "Meersbeke"),
    ),
    Scenario(
        key="de-backer", family="Gezin De Backer", referrer="sofie.claes", registered_days_ago=130, reached=EXECUTION,
        director="tom.goossens", police_before=(-120, -4),
        members=(
            victim("Nathalie", "De Backer", "1980-08-08"),
            perpetrator("Frank", "Goethals", "1978-01-31"),
            witness("Jarne", "Goethals", "2008-10-14", M),
        ),
        reason="Frank isoleert Nathalie en controleert alle uitgaven; bij het laatste incident duwde hij haar van de trap. Jarne (17) is zelf agressief geworden op school.",
        violence=(PARTNER,), domains=("safety", "finances", "social-network", "child-development", "physical-health"),
        crisis_measures="Huisverbod; Nathalie kreeg een stalkingalarm.",
        address=home("Wijngaardstraat 13", "Heidebos"),
    ),
    Scenario(
        key="darwish", family="Gezin Darwish", referrer="katrien.bosmans", registered_days_ago=153, reached=EXECUTION,
        director="hilde.jacobs", shelter=("amal",), shelter_day=5, partners=("shelter", "clb"),
        waiting_referral=True, police_before=(-4,),
        members=(
            victim("Amal", "Darwish", "1989-12-05", **SYRIAN),
            perpetrator("Khaled", "Darwish", "1984-08-18", **SYRIAN),
            witness("Sami", "Darwish", "2011-05-05", M, **SYRIAN),
            witness("Layla", "Darwish", "2014-02-14", F, **SYRIAN),
        ),
        reason="Amal kwam op spoed met brandwonden aan de arm: haar man overgoot haar met kokend water. De kinderen zijn getuige van jarenlang geweld.",
        violence=(PARTNER, CHILD), domains=("safety", "housing", "mental-health", "child-development", "finances"),
        crisis_measures="Opname; daarna opvang in Vluchthuis De Linde. Pv opgesteld.",
        address=home("Oude Baan 77", "Scheldeveld"),
    ),
    Scenario(
        # The second evaluation (4 months) is due but was not held: late on the board.
        key="azzouzi", family="Gezin Azzouzi", referrer="koen.peeters", registered_days_ago=185, reached=EXECUTION,
        director="hilde.jacobs", partners=("lawyer",), late_evaluations=("evaluation-4m",),
        police_before=(-200, -60, -5), police_after=(120,),
        members=(
            victim("Loubna", "Azzouzi", "1993-05-27", **MOROCCAN),
            perpetrator("Hamza", "Azzouzi", "1991-12-03", **MOROCCAN),
            witness("Ayoub", "Azzouzi", "2016-09-09", M, **MOROCCAN),
            witness("Imane", "Azzouzi", "2019-02-22", F, **MOROCCAN),
        ),
        reason="Hamza dreigt Loubna te doden als ze scheidt; zijn familie steunt hem. Loubna werd door zijn familie opgewacht aan de school.",
        violence=(PARTNER, HONOUR), domains=("safety", "social-network", "justice", "housing", "child-development"),
        crisis_measures="Huisverbod; Loubna en de kinderen verblijven bij haar ouders.",
        address=home("Kapelstraat 30", "Dorpstad"),
    ),
    Scenario(
        # Registered seven months ago: evaluations at 1 and 4 months held, 10 months ahead.
        key="dhondt", family="Gezin Dhondt", referrer="koen.peeters", registered_days_ago=210, reached=EXECUTION,
        director="nadia.elamrani", shelter=("sarah",), shelter_day=2, partners=("shelter", "clb"),
        requests=(("parket", "answered"), ("clb", "answered")),
        police_before=(-260, -130, -45, -1), police_after=(95,),
        members=(
            victim("Sarah", "Dhondt", "1988-03-14"),
            perpetrator("Kristof", "Dhondt", "1985-11-02"),
            witness("Febe", "Dhondt", "2014-06-21", F),
            witness("Wout", "Dhondt", "2018-01-09", M),
        ),
        reason="Jarenlang partnergeweld; bij het laatste incident werd Sarah gewurgd en met de dood bedreigd in het bijzijn van de kinderen. Kristof negeerde eerder een huisverbod.",
        violence=(PARTNER, CHILD), domains=("safety", "housing", "finances", "child-development", "mental-health"),
        crisis_measures="Huisverbod, daarna opvang van moeder en kinderen in Vluchthuis De Linde.",
        address=home("Eikenlaan 5", "Meersbeke"),
    ),
    Scenario(
        key="sahin", family="Gezin Şahin", referrer="koen.peeters", registered_days_ago=290, reached=EXECUTION,
        director="nadia.elamrani", partners=("cad",), police_before=(-330, -180, -20, -2),
        members=(
            victim("Hatice", "Şahin", "1970-10-20", **TURKISH),
            perpetrator("Osman", "Şahin", "1966-04-04", **TURKISH),
            Member("Derya", "Şahin", "2001-01-15", F, (HOUSEHOLD,), **TURKISH),
            witness("Yusuf", "Şahin", "2010-06-30", M, **TURKISH),
        ),
        reason="Hatice leeft al dertig jaar met geweld; Osman heeft een alcoholprobleem. Na een zware mishandeling diende ze voor het eerst klacht in. Dochter Derya steunt haar.",
        violence=(PARTNER,), domains=("safety", "substance-use", "mental-health", "finances", "community-participation"),
        crisis_measures="Osman werd aangehouden en voorwaardelijk vrijgelaten met een contactverbod.",
        address=home("Parkstraat 16", "Kouterdonk"),
    ),
    Scenario(
        key="van-acker", family="Gezin Van Acker", referrer="koen.peeters", registered_days_ago=320, reached=EXECUTION,
        director="pieter.vandenbroeck", partners=("lawyer",), police_before=(-90, -8),
        members=(
            victim("Eline", "Van Acker", "1991-04-19"),
            perpetrator("Thomas", "Van Acker", "1990-12-02"),
            witness("Rune", "Van Acker", "2017-08-08", M),
            witness("Marie", "Van Acker", "2020-11-11", F),
        ),
        revision=Revision(
            at_evaluation="evaluation-4m", approved_after_days=12,
            reason="Eline en Thomas zijn uit elkaar: Thomas woont apart en de familierechtbank legde een omgangsregeling op. Het plan verschuift van veiligheid thuis naar een veilige omgang en de verwerking van de kinderen.",
            new_goal=("household-parenting", "jeugd", "", "{children} zien hun vader om de twee weken in het ontmoetingscentrum, zonder incidenten bij de overdracht."),
        ),
        reason="Thomas pleegt psychisch geweld en vernielt spullen; de kinderen zijn erg angstig. Eline wil scheiden maar vreest zijn reactie.",
        violence=(PARTNER,), domains=("safety", "household-parenting", "child-development", "housing", "justice"),
        crisis_measures="Pv voor vernielingen; Eline kreeg een veiligheidsplan via het CAW.",
        address=home("Beekstraat 1", "Wilgendaal"),
    ),
    # --- Closed after the chain approach, with every outcome ------------------------------
    Scenario(
        key="ait-lahcen", family="Gezin Aït Lahcen", referrer="nadia.elamrani", registered_days_ago=120, reached=DOSSIER,
        requests=(("cgg", "open"),),
        closing=Closing("consent_withdrawn", day=24, follow_up_months=3),
        members=(
            victim("Hanane", "Aït Lahcen", "1997-03-03", **MOROCCAN),
            perpetrator("Soufiane", "Aït Lahcen", "1995-09-14", **MOROCCAN),
            witness("Zakaria", "Aït Lahcen", "2022-12-24", M, **MOROCCAN),
        ),
        reason="Soufiane sloeg Hanane tijdens een ruzie in het bijzijn van hun zoontje; de buren belden de politie. Hanane twijfelt of ze hulp wil.",
        violence=(PARTNER,), domains=("safety", "mental-health", "social-network"),
        crisis_measures="Pv; Hanane kreeg informatie over 1712.",
        address=home("Smidsestraat 8", "Scheldeveld"),
    ),
    Scenario(
        key="kaminski", family="Gezin Kamiński", referrer="koen.peeters", registered_days_ago=200, reached=EXECUTION,
        director="tom.goossens", partners=("cad",), police_before=(-60, -15),
        closing=Closing("referred_elsewhere", day=120),
        members=(
            victim("Ewa", "Kamińska", "1988-01-08", **POLISH),
            perpetrator("Tomasz", "Kamiński", "1986-07-17", **POLISH),
            child_victim("Filip", "Kamiński", "2010-02-28", M, **POLISH),
            witness("Lena", "Kamińska", "2014-05-05", F, **POLISH),
        ),
        reason="Tomasz heeft een ernstige drugsverslaving en pleegt geweld tegen Ewa en Filip. Filip (15) loopt weg van huis en gebruikt zelf.",
        violence=(PARTNER, CHILD), domains=("substance-use", "safety", "child-development", "household-parenting"),
        crisis_measures="Huisverbod; Filip werd teruggebracht door de politie.",
        address=home("Fabrieksstraat 11", "Heidebos"),
    ),
    Scenario(
        key="ozturk", family="Gezin Öztürk", referrer="sofie.claes", registered_days_ago=300, reached=EXECUTION,
        director="nadia.elamrani", police_before=(-100, -3),
        closing=Closing("family_moved", day=150),
        members=(
            victim("Özlem", "Öztürk", "1985-06-25", **TURKISH),
            perpetrator("Serkan", "Öztürk", "1982-11-30", **TURKISH),
            witness("Eylül", "Öztürk", "2011-09-01", F, **TURKISH),
        ),
        reason="Serkan bedreigt Özlem en haar familie; na een mishandeling met een riem werd ze opgenomen. Özlem wil weg uit de regio, dicht bij haar broer.",
        violence=(PARTNER,), domains=("safety", "housing", "social-network", "child-development"),
        crisis_measures="Huisverbod; Özlem en Eylül tijdelijk bij haar broer in een andere provincie.",
        address=home("Groenstraat 45", "Dorpstad"),
    ),
    Scenario(
        key="mansour", family="Gezin Mansour", referrer="sofie.claes", registered_days_ago=380, reached=EXECUTION,
        director="hilde.jacobs", police_before=(-45, -6),
        closing=Closing("violence_stopped", at_evaluation="evaluation-4m"),
        members=(
            victim("Dalia", "Mansour", "1990-04-04", **SYRIAN),
            perpetrator("Walid", "Mansour", "1985-01-01", **SYRIAN),
            witness("Jad", "Mansour", "2015-07-07", M, **SYRIAN),
            witness("Rima", "Mansour", "2018-10-10", F, **SYRIAN),
        ),
        reason="Walid sluit Dalia op in de woning en slaat haar als ze zonder hem buitengaat. Ze spreekt geen Nederlands en kent niemand buiten de familie van Walid.",
        violence=(PARTNER,), domains=("safety", "housing", "finances", "work-education", "community-participation"),
        crisis_measures="Huisverbod; tolk geregeld voor de gesprekken.",
        address=home("Lange Elzenstraat 23", "Meersbeke"),
    ),
    Scenario(
        key="janssens", family="Gezin Janssens", referrer="koen.peeters", registered_days_ago=400, reached=EXECUTION,
        director="tom.goossens", police_before=(-300, -100, -10),
        closing=Closing("goals_met", at_evaluation="evaluation-10m"),
        members=(
            victim("Katleen", "Janssens", "1986-01-29"),
            perpetrator("Kurt", "Janssens", "1983-07-07"),
            witness("Jana", "Janssens", "2012-12-12", F),
            witness("Seppe", "Janssens", "2016-06-16", M),
        ),
        reason="Kurt slaat Katleen bij ruzies over geld en dreigt zichzelf iets aan te doen. De huurachterstand loopt op en de kinderen verzuimen op school.",
        violence=(PARTNER,), domains=("safety", "housing", "finances", "household-parenting"),
        crisis_measures="Huisverbod van 14 dagen; Kurt verbleef bij zijn moeder.",
        address=home("Spoorweglaan 31", "Kouterdonk"),
    ),
    Scenario(
        # Closed eight months ago; the police came back and the family is registered again
        # ("lemmens-again").
        key="lemmens", family="Gezin Lemmens", referrer="koen.peeters", registered_days_ago=445, reached=EXECUTION,
        director="hilde.jacobs", partners=("cad",), police_before=(-180, -50, -3), police_after=(437,),
        closing=Closing("violence_stopped", day=202),
        members=LEMMENS,
        reason="Geert is zwaar alcoholafhankelijk en wordt gewelddadig als hij gedronken heeft. Veronique werd meermaals geslagen; Jelle probeert zijn moeder te beschermen.",
        violence=(PARTNER, CHILD), domains=("safety", "substance-use", "household-parenting", "finances"),
        crisis_measures="Huisverbod; Geert werd doorverwezen naar CAD De Brug.",
        address=home("Heirweg 58", "Heidebos"),
    ),
    Scenario(
        key="de-vries", family="Gezin De Vries", referrer="lotte.michiels", registered_days_ago=620, reached=EXECUTION,
        director="pieter.vandenbroeck", partners=("clb",), police_before=(-40, -2),
        closing=Closing("goals_met", at_evaluation="evaluation-10m", follow_up_done=True),
        members=(
            victim("Marloes", "Vries", "1984-10-10", name_prefix="de", **DUTCH),
            perpetrator("Jeroen", "Bakker", "1982-05-20", **DUTCH),
            child_victim("Sem", "Bakker", "2013-08-08", M, **DUTCH),
            witness("Fleur", "Bakker", "2016-03-03", F, **DUTCH),
        ),
        reason="Het gezin verhuisde vanuit Nederland. Jeroen slaat Sem bij driftbuien en mishandelt Marloes. De hulp die in Nederland liep (Veilig Thuis) werd na de verhuizing niet overgedragen.",
        violence=(PARTNER, CHILD), domains=("safety", "child-development", "household-parenting", "mental-health"),
        crisis_measures="Melding bij het Vertrouwenscentrum; Jeroen verblijft tijdelijk bij zijn broer.",
        address=home("Molenstraat 7", "Wilgendaal"),
    ),
]

# === Telling them ==========================================================================

# The aspects of a case, in the order a case lives them (see story.py).
CHAPTERS = [
    chapters.register,
    chapters.decide_admissibility,
    chapters.record_consent,
    chapters.record_earlier_police_interventions,
    chapters.bring_in_partners,
    chapters.move_to_shelter,
    chapters.complete_intake,
    chapters.build_dossier,
    chapters.weigh_risk,
    chapters.appoint_case_director,
    chapters.draft_plan,
    chapters.approve_plan,
    chapters.carry_out_actions,
    chapters.keep_contact,
    chapters.refer_to_services,
    chapters.offer_trauma_screening,
    chapters.hold_evaluations,
    chapters.close_case,
    chapters.follow_up,
    chapters.record_later_police_interventions,
    chapters.finish,
]


@transaction.atomic
def add_demo_cases(region, *, scenarios: list[Scenario] | None = None, now=None) -> list[Case]:
    """Tell every scenario (oldest registration first, so that an earlier case exists
    before a family is registered again), then backdate their histories."""
    if settings.PRODUCTION:
        raise RuntimeError("Demo cases are fictional: they are never added in production mode.")
    cast = chapters.Cast(region)
    history = History()
    known_persons: dict = {}
    now = now or timezone.now()
    cases = []
    for scenario in sorted(scenarios or SCENARIOS, key=lambda s: -s.registered_days_ago):
        story = chapters.Story(scenario, cast=cast, history=history, known=known_persons, now=now)
        for chapter in CHAPTERS:
            chapter(story)
        cases.append(story.case)
    backdate(history)
    return cases


__all__ = ["CHAPTERS", "SCENARIOS", "Closing", "Member", "Revision", "Scenario", "add_demo_cases"]
