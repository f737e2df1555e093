# ruff: noqa: E501  (one line per organisation and professional reads best as a table)
"""The demo region: a clearly fictional Flemish judicial district.

Every name, address and e-mail domain here is invented (e-mail under ``.example``, a
domain reserved for examples). Demo accounts share one password and one TOTP secret so
that a newcomer can sign in; ``seed_demo`` refuses to run in production mode.
"""

from datetime import date

from ketenplan.accounts.models import Organisation, Role

REGION_NAME = "Arrondissement Scheldevallei (demo)"
DEMO_PASSWORD = "Scheldevallei-demo-2026"
# Base32, shared by every demo account that needs a second factor.
DEMO_TOTP_SECRET = "KETENPLANDEMOSCHELDEVALLEI234567"

T = Organisation.Type
CORE, NETWORK = Organisation.Ring.CORE, Organisation.Ring.NETWORK

# key: (name, type, ring, agreement date or None, coordination point, e-mail domain)
ORGANISATIONS = {
    "fjc": ("Family Justice Center Scheldevallei", T.OTHER, CORE, date(2023, 3, 1), True, "fjc.scheldevallei.example"),
    "police": ("Politiezone Scheldevallei", T.POLICE, CORE, date(2023, 3, 1), False, "politie.scheldevallei.example"),
    "parket": ("Parket Scheldevallei", T.PROSECUTOR, CORE, date(2023, 3, 1), False, "parket.scheldevallei.example"),
    "caw": ("CAW Scheldevallei", T.GENERAL_WELFARE, CORE, date(2023, 3, 1), False, "caw.scheldevallei.example"),
    "ocmw": ("OCMW Dorpstad", T.SOCIAL_WELFARE, CORE, date(2023, 5, 15), False, "ocmw.dorpstad.example"),
    "cgg": ("CGG De Meander", T.MENTAL_HEALTH, CORE, date(2023, 3, 1), False, "cgg.demeander.example"),
    "jeugd": ("Ondersteuningscentrum Jeugdzorg Scheldevallei", T.YOUTH_WELFARE, CORE, date(2023, 3, 1), False, "jeugdzorg.scheldevallei.example"),
    "vk": ("Vertrouwenscentrum Kindermishandeling Scheldevallei", T.CHILD_ABUSE_CENTRE, CORE, date(2023, 3, 1), False, "vk.scheldevallei.example"),
    "jh": ("Justitiehuis Scheldevallei", T.JUSTICE_HOUSE, CORE, date(2023, 3, 1), False, "justitiehuis.scheldevallei.example"),
    "shelter": ("Vluchthuis De Linde", T.SHELTER, NETWORK, date(2023, 9, 1), False, "delinde.example"),
    "cad": ("CAD De Brug", T.ADDICTION_CARE, NETWORK, date(2024, 1, 10), False, "cad-debrug.example"),
    "hospital": ("AZ Sint-Ursula", T.HOSPITAL, NETWORK, date(2024, 2, 1), False, "azsintursula.example"),
    "clb": ("CLB Scheldevallei", T.SCHOOL, NETWORK, date(2024, 2, 1), False, "clb.scheldevallei.example"),
    "lawyer": ("Advocatenkantoor Verhaegen & De Smet", T.LAWYER, NETWORK, date(2024, 6, 1), False, "verhaegen-desmet.example"),
    "horizon": ("Thuisbegeleiding Horizon vzw", T.OTHER, NETWORK, None, False, "horizon-thuisbegeleiding.example"),
}

R = Role
# (full name, organisation key, job title, roles, e-mail local part)
PROFESSIONALS = [
    ("Annelies Vermeulen", "fjc", "Coördinator Family Justice Center", [R.COORDINATOR, R.TEAM_MEMBER], "annelies.vermeulen"),
    ("Bart De Clercq", "fjc", "Coördinator (vervanger)", [R.COORDINATOR, R.TEAM_MEMBER], "bart.declercq"),
    ("Hilde Jacobs", "fjc", "Procesregisseur", [R.TEAM_MEMBER, R.CASE_DIRECTOR], "hilde.jacobs"),
    ("Koen Peeters", "police", "Inspecteur intrafamiliaal geweld", [R.REFERRER, R.TEAM_MEMBER], "koen.peeters"),
    ("Sofie Claes", "police", "Wijkinspecteur", [R.REFERRER, R.PARTNER], "sofie.claes"),
    ("Marc Wouters", "parket", "Parketmagistraat", [R.TEAM_MEMBER], "marc.wouters"),
    ("Els Maes", "parket", "Justitieassistent slachtofferonthaal", [R.PARTNER], "els.maes"),
    ("Nadia El Amrani", "caw", "Maatschappelijk werker", [R.CASE_DIRECTOR, R.TEAM_MEMBER, R.REFERRER], "nadia.elamrani"),
    ("Tom Goossens", "caw", "Hulpverlener partnergeweld", [R.PARTNER, R.CASE_DIRECTOR], "tom.goossens"),
    ("Liesbeth Willems", "ocmw", "Maatschappelijk assistent", [R.PARTNER, R.TEAM_MEMBER], "liesbeth.willems"),
    ("Jan Mertens", "cgg", "Psycholoog", [R.PARTNER, R.TEAM_MEMBER], "jan.mertens"),
    ("Griet Dubois", "cgg", "Psychiater", [R.PARTNER], "griet.dubois"),
    ("Pieter Van den Broeck", "jeugd", "Consulent jeugdhulp", [R.PARTNER, R.TEAM_MEMBER, R.CASE_DIRECTOR], "pieter.vandenbroeck"),
    ("Ines Lambrecht", "vk", "Vertrouwensarts", [R.PARTNER, R.TEAM_MEMBER], "ines.lambrecht"),
    ("Wim Hermans", "jh", "Justitieassistent", [R.PARTNER, R.TEAM_MEMBER], "wim.hermans"),
    ("Fatma Yilmaz", "shelter", "Begeleider vluchthuis", [R.PARTNER, R.REFERRER], "fatma.yilmaz"),
    ("Dirk Segers", "cad", "Verslavingsconsulent", [R.PARTNER], "dirk.segers"),
    ("Katrien Bosmans", "hospital", "Sociaal verpleegkundige spoedgevallen", [R.REFERRER, R.PARTNER], "katrien.bosmans"),
    ("Lotte Michiels", "clb", "CLB-medewerker", [R.PARTNER, R.REFERRER], "lotte.michiels"),
    ("Steven Verhaegen", "lawyer", "Advocaat", [R.PARTNER], "steven.verhaegen"),
    ("Ruben Aerts", "horizon", "Thuisbegeleider", [R.PARTNER], "ruben.aerts"),
    ("Veerle Smets", "fjc", "Data-analist", [R.ANALYST], "veerle.smets"),
    ("Johan Cools", "fjc", "Functioneel beheerder en DPO", [R.ADMINISTRATOR, R.DATA_PROTECTION_OFFICER], "johan.cools"),
    ("Sarah Vandamme", "caw", "Teamverantwoordelijke", [R.TEAM_MEMBER, R.PARTNER], "sarah.vandamme"),
    ("Youssef Benali", "police", "Hoofdinspecteur jeugd en gezin", [R.PARTNER, R.CASE_DIRECTOR], "youssef.benali"),
]
