# ruff: noqa: E501  (one line per text reads best)
"""What the professionals of the demo region write: Flemish case texts, per life domain.

The story of every demo case draws from these lists with its own fixed random generator,
so the demo reads the same every time. Placeholders: ``{victim}``, ``{perpetrator}``,
``{child}`` (the eldest child), ``{children}`` (the children's first names) and
``{interpreter}`` ("de tolk", only for a victim who needs one). A text whose placeholders a family cannot fill (no children, say) is
never chosen for that family.

``about`` says whom a contribution or goal is about: "victim", "perpetrator", "child"
or "" (the family as a whole). Organisation keys are those of ``region.ORGANISATIONS``.
"""

# --- The dossier: (organisation, about, text, source) per life domain -----------------------

CONTRIBUTIONS = {
    "safety": [
        ("police", "victim", "Sinds begin dit jaar drie interventies op het adres. Bij de laatste had {victim} roodheid en striemen in de hals; {perpetrator} was onder invloed.", "Interventieverslagen en pv's politie"),
        ("police", "perpetrator", "{perpetrator} kreeg een tijdelijk huisverbod van 14 dagen. Het verbod werd nageleefd, maar {victim} ontving in die periode meer dan veertig berichten.", "Dossier huisverbod"),
        ("vk", "child", "{child} vertelde in het gesprek dat de ruzies vooral 's avonds zijn en dat er dan met spullen gegooid wordt. {child} gaat dan met de broers of zussen naar boven.", "Gesprek vertrouwensarts met {child}"),
        ("caw", "victim", "{victim} geeft aan bang te zijn voor wat {perpetrator} doet als de scheiding doorgaat. Er was eerder een bedreiging met een mes.", "Gesprekken maatschappelijk werker"),
        ("shelter", "victim", "{victim} verblijft in het vluchthuis op een afgeschermd adres. {perpetrator} probeert via familieleden te achterhalen waar {victim} verblijft.", "Verslag begeleider vluchthuis"),
    ],
    "housing": [
        ("ocmw", "", "Het gezin huurt op de private markt; er is een huurachterstand van drie maanden en de verhuurder dreigt met opzeg.", "Sociaal onderzoek OCMW"),
        ("caw", "victim", "{victim} staat sinds vorig jaar ingeschreven voor een sociale woning; de wachttijd in Dorpstad is ongeveer vier jaar. Voorrang wegens partnergeweld is nog niet aangevraagd.", "Woonwinkel en eigen dossier"),
        ("shelter", "victim", "Na het verblijf in het vluchthuis is er geen woning beschikbaar. Een transitwoning van het OCMW wordt bekeken.", "Verslag begeleider vluchthuis"),
        ("ocmw", "perpetrator", "{perpetrator} verblijft sinds het huisverbod bij een vriend en heeft geen eigen domicilie.", "Aanvraag referentieadres"),
    ],
    "finances": [
        ("ocmw", "", "Er lopen schulden bij de energieleverancier en het ziekenhuis, samen ongeveer 7.800 euro. {perpetrator} beheert alle rekeningen.", "Schuldenoverzicht OCMW"),
        ("caw", "victim", "{victim} heeft geen zicht op het gezinsinkomen en geen eigen bankkaart. Er is sprake van financiële controle.", "Gesprekken maatschappelijk werker"),
        ("ocmw", "victim", "{victim} heeft recht op een leefloon als alleenstaande met gezinslast zodra een eigen adres is vastgesteld.", "Sociaal onderzoek OCMW"),
    ],
    "work-education": [
        ("ocmw", "perpetrator", "{perpetrator} is sinds zes maanden werkloos na ontslag als vrachtwagenchauffeur en zit veel thuis.", "Gesprek trajectbegeleider"),
        ("clb", "child", "{child} was dit schooljaar al 23 halve dagen afwezig. De school maakt zich zorgen over de leerachterstand.", "Leerlingendossier CLB"),
        ("caw", "victim", "{victim} volgde lessen Nederlands als tweede taal maar mocht ze van {perpetrator} niet meer bijwonen.", "Gesprekken maatschappelijk werker"),
    ],
    "daily-activities": [
        ("caw", "victim", "{victim} komt weinig buiten; boodschappen doet {perpetrator}. Contact met buren wordt afgeraden.", "Huisbezoek CAW"),
        ("jeugd", "child", "{child} brengt de avonden vooral op de eigen kamer door, met de gsm. Er zijn geen hobby's of clubs.", "Gesprek consulent jeugdhulp"),
    ],
    "household-parenting": [
        ("jeugd", "", "Opvoedingsondersteuning liep vorig jaar via het Huis van het Kind maar werd door de ouders na twee gesprekken stopgezet.", "Verslag Huis van het Kind"),
        ("vk", "", "De ouders erkennen dat {children} de ruzies meemaken, maar zien de impact ervan niet.", "Gesprek vertrouwenscentrum met de ouders"),
        ("caw", "", "Over de omgang met {children} communiceren de ouders alleen via berichten, die snel escaleren.", "Gesprekken maatschappelijk werker"),
    ],
    "child-development": [
        ("clb", "child", "{child} is op school teruggetrokken en heeft concentratieproblemen. De leerkracht zag blauwe plekken op de bovenarm.", "Melding school via CLB"),
        ("jeugd", "child", "Er loopt een aanvraag via de intersectorale toegangspoort voor {child}; de wachttijd voor contextbegeleiding is ongeveer vijf maanden.", "Dossier jeugdhulp"),
        ("vk", "child", "Het medisch onderzoek van {child} toonde geen recente letsels, wel signalen van chronische stress (slaapproblemen, bedplassen).", "Onderzoek vertrouwensarts"),
        ("hospital", "child", "{child} werd op spoed gezien met een polsfractuur; de uitleg van de ouders paste niet goed bij het letsel.", "Verslag spoedgevallen"),
    ],
    "mental-health": [
        ("cgg", "victim", "{victim} was eerder in begeleiding voor depressieve klachten; de begeleiding werd na vier gesprekken afgebroken.", "Dossier CGG"),
        ("cgg", "perpetrator", "{perpetrator} heeft een voorgeschiedenis van impulsief gedrag en weigert tot nu toe elke vorm van hulp.", "Consult psychiater"),
        ("hospital", "victim", "{victim} werd vorig jaar opgenomen na een suïcidepoging; daarna was er geen opvolging.", "Ontslagbrief psychiatrische afdeling"),
    ],
    "physical-health": [
        ("hospital", "victim", "{victim} kwam twee keer op spoed met kneuzingen; de eerste keer werd een val als verklaring gegeven.", "Verslagen spoedgevallen"),
        ("caw", "victim", "{victim} heeft chronische rugpijn en geen vaste huisarts.", "Gesprekken maatschappelijk werker"),
    ],
    "substance-use": [
        ("cad", "perpetrator", "{perpetrator} was eerder in ambulante behandeling voor alcoholgebruik en stopte na drie maanden.", "Dossier CAD"),
        ("police", "perpetrator", "Bij de interventies was {perpetrator} telkens onder invloed van alcohol.", "Interventieverslagen politie"),
        ("hospital", "perpetrator", "Bij de opname werd bij {perpetrator} een alcoholpromillage van 2,1 vastgesteld.", "Verslag spoedgevallen"),
    ],
    "social-network": [
        ("caw", "victim", "{victim} heeft weinig contact met de eigen familie; een zus in Gent is wel beschikbaar als steunfiguur.", "Netwerkkaart CAW"),
        ("caw", "", "De familie van {perpetrator} oefent druk uit om de relatie niet te verbreken en de politie niet meer te bellen.", "Gesprekken maatschappelijk werker"),
    ],
    "community-participation": [
        ("ocmw", "victim", "{victim} neemt niet deel aan activiteiten in de buurt, maar toont interesse in het taalcafé van het Sociaal Huis.", "Gesprek maatschappelijk assistent"),
    ],
    "justice": [
        ("parket", "perpetrator", "Er loopt een opsporingsonderzoek voor opzettelijke slagen en verwondingen binnen het gezin; {perpetrator} werd verhoord.", "Strafdossier parket"),
        ("jh", "perpetrator", "{perpetrator} staat onder probatie-uitstel met als voorwaarde een behandeling te volgen; de voorwaarden worden wisselend nageleefd.", "Verslag justitieassistent"),
        ("parket", "victim", "Het parket legde een contactverbod op ten aanzien van {victim}; het verbod loopt nog drie maanden.", "Beslissing parketmagistraat"),
        ("lawyer", "victim", "De advocaat van {victim} bereidt een procedure bij de familierechtbank voor over de verblijfsregeling van {children}.", "Brief advocaat"),
    ],
}

# --- Information requests: (to organisation, about, question, answer) -----------------------

INFORMATION_REQUESTS = {
    "hospital": ("victim", "Zijn er de voorbije twee jaar bezoeken van {victim} op spoed geweest met letsels die op geweld kunnen wijzen?", "Ja, twee bezoeken (kneuzingen aan de armen en een gebroken vinger). Beide keren werd een val opgegeven."),
    "cad": ("perpetrator", "Is {perpetrator} bij jullie gekend en is er een behandeling lopend of afgebroken?", "Gekend sinds twee jaar; ambulante behandeling afgebroken na drie maanden. Nieuwe aanmelding is welkom."),
    "clb": ("child", "Hoe loopt het op school met {child}: aanwezigheden, welbevinden, signalen?", "Veel afwezigheden op maandag; {child} is stil en moe. De klastitularis wil graag mee aan tafel."),
    "parket": ("perpetrator", "Welke strafrechtelijke voorgaanden en lopende onderzoeken zijn er ten aanzien van {perpetrator}?", "Eén veroordeling (2021, slagen en verwondingen, probatie-uitstel). Eén lopend onderzoek, verhoor gepland."),
    "jh": ("perpetrator", "Staat {perpetrator} onder justitiële voorwaarden, en hoe verloopt de opvolging?", "Probatie-uitstel met begeleidingsvoorwaarde. De laatste twee afspraken werden gemist."),
    "ocmw": ("", "Is het gezin gekend bij het OCMW en zijn er schulden of een lopende budgetbegeleiding?", "Gekend; huurachterstand en energieschulden. Budgetbegeleiding werd vorig jaar aangeboden maar niet aanvaard."),
    "cgg": ("victim", "Was {victim} in begeleiding bij jullie, en is er informatie die voor de veiligheid van belang is?", "Vier gesprekken in 2024, daarna niet meer gekomen. Er werden toen angstklachten en slaapproblemen vastgesteld."),
    "jeugd": ("child", "Is er jeugdhulp voor {child} aangevraagd of lopend?", "Aanvraag via de toegangspoort in behandeling; wachttijd contextbegeleiding ongeveer vijf maanden."),
    "vk": ("child", "Is het gezin gekend bij het vertrouwenscentrum en wat is de stand van zaken?", "Melding van de school vorig jaar; toen werd een vrijwillig traject opgestart dat na twee maanden stopte."),
    "police": ("perpetrator", "Hoeveel politie-interventies waren er op het adres in de voorbije twaalf maanden?", "Vier interventies, waarvan twee met pv voor intrafamiliaal geweld."),
}

REQUEST_DECLINE_REASON = "Geen toestemming van de betrokkene en geen wettelijke grond om deze informatie te delen; graag via de casusoverleg-procedure (art. 458ter Sw.)."

# --- The plan: goals (organisation, about, text) and actions (organisation, text) per domain --

GOALS = {
    "safety": [
        ("caw", "victim", "{victim} en {children} wonen veilig; er zijn geen nieuwe incidenten van geweld."),
        ("jh", "perpetrator", "{perpetrator} houdt zich aan het contactverbod en zoekt geen contact buiten de afgesproken regeling."),
        ("caw", "victim", "Er is een veiligheidsplan dat {victim} kent en kan toepassen."),
    ],
    "housing": [
        ("ocmw", "victim", "{victim} heeft een eigen, betaalbare woning."),
        ("caw", "perpetrator", "{perpetrator} vindt een eigen woonst, los van het gezin."),
        ("ocmw", "", "De huurachterstand is weggewerkt en de uithuiszetting is afgewend."),
    ],
    "finances": [
        ("ocmw", "victim", "{victim} heeft een eigen bankrekening en een inkomen op eigen naam."),
        ("ocmw", "", "Er loopt een budgetbegeleiding en de schulden zijn in kaart gebracht."),
    ],
    "work-education": [
        ("caw", "victim", "{victim} volgt opnieuw de lessen Nederlands."),
        ("clb", "child", "{child} gaat opnieuw elke dag naar school."),
        ("ocmw", "perpetrator", "{perpetrator} volgt een traject naar werk."),
    ],
    "daily-activities": [
        ("caw", "victim", "{victim} heeft een vaste weekstructuur met eigen activiteiten."),
    ],
    "household-parenting": [
        ("jeugd", "", "De ouders maken duidelijke afspraken over opvoeding en omgang, zonder dat {children} tussen twee vuren staan."),
        ("jeugd", "", "Er is een omgangsregeling voor {children} die veilig verloopt."),
    ],
    "child-development": [
        ("jeugd", "child", "{child} krijgt begeleiding om te verwerken wat er thuis gebeurde."),
        ("clb", "child", "{child} heeft op school een vertrouwenspersoon en de school volgt het welzijn op."),
    ],
    "mental-health": [
        ("cgg", "victim", "{victim} is in behandeling voor de traumaklachten."),
        ("caw", "perpetrator", "{perpetrator} volgt een daderhulptraject en werkt aan het eigen gedrag."),
    ],
    "physical-health": [
        ("caw", "victim", "{victim} heeft een vaste huisarts die op de hoogte is van de situatie."),
    ],
    "substance-use": [
        ("cad", "perpetrator", "{perpetrator} is in behandeling voor het alcoholgebruik en houdt zich aan de afspraken."),
        ("cgg", "perpetrator", "{perpetrator} drinkt niet meer wanneer {children} thuis zijn."),
    ],
    "social-network": [
        ("caw", "victim", "{victim} heeft minstens twee steunfiguren om te bellen als het misloopt."),
    ],
    "community-participation": [
        ("ocmw", "victim", "{victim} neemt deel aan een activiteit in de buurt (taalcafé of vrijwilligerswerk)."),
    ],
    "justice": [
        ("jh", "perpetrator", "De probatievoorwaarden worden nageleefd en opgevolgd."),
        ("lawyer", "victim", "De procedure bij de familierechtbank over de verblijfsregeling is ingeleid."),
    ],
}

ACTIONS = {
    "safety": [
        ("caw", "Veiligheidsplan overlopen met {victim}"),
        ("police", "Naleving contactverbod controleren bij de wijkinspecteur"),
        ("parket", "Stalkingalarm (AWARE) aanvragen voor {victim}"),
    ],
    "housing": [
        ("ocmw", "Aanvraag transitwoning indienen"),
        ("caw", "Inschrijving sociale huisvesting actualiseren met voorrang wegens partnergeweld"),
        ("ocmw", "Afbetalingsplan bespreken met de verhuurder"),
    ],
    "finances": [
        ("ocmw", "Leefloondossier opstarten voor {victim}"),
        ("caw", "Samen met {victim} een eigen bankrekening openen"),
        ("ocmw", "Schuldenoverzicht opmaken"),
    ],
    "work-education": [
        ("caw", "Inschrijving NT2-les bij het Centrum voor Basiseducatie"),
        ("clb", "Overleg met de school over de afwezigheden van {child}"),
        ("ocmw", "Aanmelding bij de trajectbegeleiding naar werk"),
    ],
    "daily-activities": [
        ("caw", "Weekplanning opmaken met {victim}"),
    ],
    "household-parenting": [
        ("jeugd", "Intakegesprek opvoedingsondersteuning plannen"),
        ("caw", "Bemiddeling over de omgangsregeling voorbereiden"),
    ],
    "child-development": [
        ("jeugd", "Aanmelding contextbegeleiding via de toegangspoort"),
        ("clb", "Gesprek met {child} over wie een vertrouwenspersoon op school kan zijn"),
    ],
    "mental-health": [
        ("cgg", "Intake traumabehandeling voor {victim}"),
        ("caw", "Aanmelding groepsprogramma daderhulp voor {perpetrator}"),
    ],
    "physical-health": [
        ("caw", "Afspraak bij de huisarts voor opvolging van de letsels"),
    ],
    "substance-use": [
        ("cad", "Intakegesprek voor {perpetrator} bij CAD De Brug"),
        ("cgg", "Motiverend gesprek over het alcoholgebruik met {perpetrator}"),
    ],
    "social-network": [
        ("caw", "Netwerkgesprek met de zus en een buurvrouw van {victim}"),
    ],
    "community-participation": [
        ("ocmw", "Kennismaking met het taalcafé van het Sociaal Huis"),
    ],
    "justice": [
        ("jh", "Verslag over de naleving van de voorwaarden bezorgen aan het team"),
        ("caw", "Pro-Deoadvocaat aanvragen voor {victim}"),
    ],
}

DOSSIER_ACTIONS = [
    ("fjc", "Dossier voorbereiden voor de weging in het operationeel team"),
    ("police", "Overzicht van de politie-interventies van de voorbije twaalf maanden bezorgen"),
]

CANNOT_BE_DONE_REASONS = [
    "{victim} wil hier voorlopig niet op ingaan; opnieuw bekijken bij de volgende evaluatie.",
    "De dienst heeft geen plaats meer dit schooljaar; alternatief gezocht.",
    "{perpetrator} verscheen twee keer niet op de afspraak.",
]

SAFETY_MEASURES = {
    "direct": [
        ("police", "Tijdelijk huisverbod voor {perpetrator}, verlengd door het parket"),
        ("shelter", "Opvang van {victim} in Vluchthuis De Linde op een afgeschermd adres"),
        ("police", "Stalkingalarm (AWARE) voor {victim} en prioritaire interventie bij een oproep"),
        ("clb", "Afspraak met de school: {children} worden alleen door {victim} opgehaald"),
        ("police", "Handle with Care: na een interventie wordt de school de volgende ochtend verwittigd"),
        ("caw", "Vluchtplan en noodnummers overlopen met {victim}"),
    ],
    "structural": [
        ("caw", "Daderhulp voor {perpetrator} (groepsprogramma)"),
        ("jh", "Contactverbod via het parket, opgevolgd door de justitieassistent"),
        ("ocmw", "Eigen woning en inkomen voor {victim}"),
        ("cgg", "Traumabehandeling voor {victim}"),
        ("jeugd", "Omgang met {children} via begeleide bezoeken in het ontmoetingscentrum"),
    ],
}

# --- Execution and monitoring -------------------------------------------------------------

# (with whom, summary) per kind of contact
CONTACTS = {
    "home_visit": [
        (("victim", "child"), "Huisbezoek: de sfeer was rustig. Afspraken van het veiligheidsplan overlopen met {victim}; {child} toonde de eigen kamer."),
        (("victim",), "Huisbezoek samen met de wijkinspecteur; {perpetrator} was niet aanwezig."),
        (("victim",), "Huisbezoek: {victim} vertelt dat het beter gaat; er zijn geen nieuwe incidenten."),
    ],
    "office": [
        (("victim",), "Gesprek op kantoor over de stand van zaken bij het OCMW en de woning."),
        (("victim",), "Gesprek met {victim} ter voorbereiding van de evaluatie."),
        (("victim",), "Gesprek met {victim} en {interpreter}: uitleg over de rol van de casusregisseur en de partners."),
        (("perpetrator",), "Gesprek met {perpetrator} over de afspraken rond het contactverbod en de daderhulp."),
    ],
    "video": [
        (("victim",), "Videogesprek omdat {victim} {children} niet alleen kon laten."),
        (("victim",), "Videogesprek met {victim} en {interpreter} over de brief van de huisvestingsmaatschappij."),
        (("victim",), "Videogesprek met {victim} over de voorbereiding van het gesprek bij de familierechtbank."),
    ],
    "phone": [
        (("victim",), "Telefonisch contact: {victim} meldt nieuwe berichten van {perpetrator}; doorgegeven aan de politie."),
        (("victim",), "Kort telefoongesprek om de afspraak bij het CGG te bevestigen."),
        (("victim",), "{victim} belt ongerust na een ontmoeting met {perpetrator} aan de school; veiligheidsplan opnieuw overlopen."),
    ],
    "chat": [
        (("victim",), "Via chat: {victim} vraagt of de afspraak van donderdag mag verschuiven."),
        (("victim",), "Via chat gevraagd hoe het weekend verliep; geen incidenten."),
        (("victim",), "Via chat: {victim} stuurt een foto van de brief van het OCMW; afspraak gemaakt om die samen te bekijken."),
    ],
}

REFERRALS = {
    "mental-health": [("Traumabehandeling (EMDR)", "cgg", "victim"), ("Daderhulp, groepsprogramma", "caw", "perpetrator")],
    "child-development": [("Contextbegeleiding via de toegangspoort", "jeugd", "child"), ("Ambulante traumazorg voor kinderen", "cgg", "child")],
    "substance-use": [("Ambulante behandeling alcohol", "cad", "perpetrator")],
    "housing": [("Voorrangsaanvraag sociale huisvesting", None, "victim")],
    "finances": [("Budgetbegeleiding", "ocmw", "victim")],
    "household-parenting": [("Opvoedingsondersteuning Huis van het Kind", None, "victim")],
    "justice": [("Juridisch advies (pro Deo)", "lawyer", "victim")],
    "social-network": [("Lotgenotengroep met ervaringsdeskundige", "caw", "victim")],
    "work-education": [("Trajectbegeleiding naar werk", "ocmw", "perpetrator")],
}

REFERRAL_NOTES = {
    "waiting": "Op de wachtlijst; verwachte start over drie à vier maanden.",
    "started": "Eerste afspraak heeft plaatsgevonden.",
    "declined": "Aanmelding niet aanvaard: buiten de doelgroep van de dienst.",
    "ended": "Traject afgerond.",
}

POLICE_INTERVENTIONS = [
    "Interventie na melding van de buren: luide ruzie, {victim} met verwondingen aan het gezicht. Pv opgesteld.",
    "{perpetrator} drong de woning binnen ondanks het huisverbod en werd gearresteerd.",
    "Oproep via 112: {perpetrator} dreigt met een mes. Bij aankomst was de situatie rustig; wapen in beslag genomen.",
    "Ruzie bij de overdracht van de kinderen; partijen gescheiden en verwittigd.",
    "Controle op naleving van het contactverbod na melding van {victim}; geen inbreuk vastgesteld.",
    "Dronkenschap en verbale agressie van {perpetrator}; {perpetrator} bracht de nacht door in de cel.",
]

EVALUATIONS = {
    "first": [
        "Het plan is goed gestart. Geen nieuwe incidenten sinds de goedkeuring; de woonsituatie blijft de grootste zorg.",
        "Wisselende start: één incident met politie-interventie. De afspraken van het veiligheidsplan werden aangescherpt.",
        "Het gezin werkt goed mee. De meeste acties van de eerste maand zijn uitgevoerd.",
    ],
    "later": [
        "Duidelijke vooruitgang: {victim} heeft meer rust en de kinderen zijn stabieler op school.",
        "Het geweld is gestopt, maar de financiële situatie blijft kwetsbaar. Budgetbegeleiding loopt.",
        "De meeste doelen zijn bereikt of goed op weg; de partners blijven betrokken tot de volgende evaluatie.",
    ],
    "close": [
        "Alle doelen zijn bereikt. Het gezin en de partners zien geen noodzaak meer voor de ketenaanpak; de lopende hulp gaat verder.",
        "Geen incidenten meer sinds maanden; {victim} woont zelfstandig en de hulp is verankerd in de reguliere diensten.",
    ],
}

ZRM_NOTE = "ZRM-scores ingevuld samen met het gezin."

# --- Decisions: admissibility, risk weighing, closure -------------------------------------

ADMISSIBILITY_NOTES = {
    "very_unsafe": ("Herhaald fysiek geweld met letsels; de kinderen zijn getuige.", "Eenmalig incident; geen aanwijzingen voor acuut gevaar."),
    "complex": ("Politie, parket en hulpverlening zijn elk betrokken, zonder afstemming.", "Eén hulpverlener volstaat; er is geen justitiële component."),
    "multiple_domains": ("Problemen rond huisvesting, financiën en opvoeding tegelijk.", "De zorgen beperken zich tot de relatie tussen de partners."),
    "help_stuck": ("De hulp werd meermaals afgebroken; het huisverbod bracht geen blijvende verandering.", "De hulp is pas opgestart en loopt goed."),
}

RISK_REASONING = {
    "high": [
        "Wurging bij het laatste incident, toenemende frequentie van het geweld en {victim} vreest voor het eigen leven. Kinderen getuige.",
        "Doodsbedreigingen en stalking na de scheiding; {perpetrator} heeft toegang tot een wapen en negeert het contactverbod.",
        "Escalatie in korte tijd: drie politie-interventies in twee maanden, telkens onder invloed. Professioneel oordeel: hoog.",
    ],
    "medium": [
        "Het geweld is reëel maar de frequentie daalt. Beschermende factoren: steunend netwerk, hulp wordt aanvaard.",
        "Ernstige verbale agressie en controle, geen fysiek geweld in de voorbije maanden; {victim} voelt zich veilig bij de eigen familie.",
    ],
    "low": [
        "Eenmalig incident na ontslag; beide partners erkennen het probleem en de hulpverlening loopt.",
    ],
}

RISK_ADVICE = [
    "Advies aan de aanmelder: verder met de lopende begeleiding bij het CAW, het veiligheidsplan om de zes weken opvolgen en opnieuw aanmelden bij een nieuw incident.",
    "Advies: opvoedingsondersteuning en een bemiddeling rond de omgang; de wijkinspecteur blijft aanspreekpunt. Opnieuw aanmelden als het geweld terugkeert.",
]

CLOSURE_NOTES = {
    "goals_met": "Alle doelen bereikt; de lopende hulp gaat verder in de reguliere diensten.",
    "violence_stopped": "Geen nieuwe incidenten sinds maanden en de veiligheidsafspraken worden nageleefd. Ketenaanpak afgesloten.",
    "family_moved": "Het gezin is verhuisd naar een ander gerechtelijk arrondissement; het dossier is met toestemming overgedragen aan de ketenaanpak daar.",
    "consent_withdrawn": "{victim} trekt de toestemming in en wil niet langer samenwerken met het team. De aanmelder blijft aanspreekpunt.",
    "referred_elsewhere": "Doorverwezen naar een residentiële behandeling en intensieve jeugdhulp; de ketenaanpak is niet langer de juiste vorm.",
}

FOLLOW_UP_NOTE = "Opvolging na zes maanden: geen nieuwe aanmelding en geen politie-interventies op het adres. {victim} woont nog op hetzelfde adres en de kinderen gaan naar school."

# --- Meetings, consultation hours and escalation (``meetings.py``) -------------------------

TEAM_LOCATION = "Family Justice Center Scheldevallei, vergaderzaal De Schelde, Kaaistraat 12, 9999 Dorpstad"
TEAM_VIDEO = "https://video.scheldevallei.example/operationeel-team"

# The notes of the team on an agenda item, per kind of item, at the last meeting. Every
# case on that agenda is still where it was then: the note says what comes next.
MEETING_NOTES = {
    "admissibility": "Aanmelding besproken. De coördinator vraagt de aanmelder om bijkomende informatie; beslissing over de ontvankelijkheid op het volgende overleg.",
    "repeat": "Nieuwe aanmelding van een gezin dat we kennen. De coördinator legt het vorige dossier naast de nieuwe feiten; beslissing op het volgende overleg.",
    "intake": "Het dossier werd voorgesteld. De partners bezorgen hun informatie aan de coördinator; de dossiervorming start zodra die binnen is.",
    "weighing": "Dossier besproken. De risicotaxatie wordt aangevuld met wat de partners vandaag meebrachten; de weging volgt op het volgende overleg.",
    "plan": "Ontwerpplan besproken. De partners bezorgen hun opmerkingen op de doelen aan de casusregisseur; goedkeuring op het volgende overleg.",
    "evaluation": "Evaluatie besproken. De casusregisseur plant het evaluatiegesprek met het gezin en brengt het verslag naar het volgende overleg.",
    "late_actions": "Achterstallige acties overlopen. De eigenaars bevestigden een nieuwe timing; de casusregisseur volgt op.",
    "case": "Besproken; de casusregisseur brengt de partners op de hoogte van de afspraken.",
}
# The late action that is escalated afterwards: what the team agreed about it first.
MEETING_BLOCKED_NOTE = "De actie '{action}' van {organisation} loopt al weken achter. Afgesproken: {director} vraagt {organisation} om een beslissing vóór het volgende overleg; zonder beslissing volgt een escalatie naar de stuurgroep."
# The action the team adds from the minutes: (text, due in days after the meeting).
MEETING_ACTION = ("Evaluatiegesprek plannen met {victim} en haar advocaat; verslag naar het operationeel team.", 14)
MEETING_SUMMARY = "Het operationeel team overliep de dossiers in weging en planning, de evaluaties die vervallen en de achterstallige acties. {absent} liet zich verontschuldigen; {substitute} verving. Vanaf het volgende overleg bezorgt elke partner zijn aanvullingen uiterlijk de vrijdag voordien."
NEXT_MEETING_APOLOGY = "Supervisie op het CGG die dag; {substitute} vervangt mij."
NEXT_MEETING_TOPIC = "Planning van de overleggen en de intervisie voor het nieuwe jaar"

ESCALATION_REASON = "De actie '{action}' van {organisation} staat sinds {due} open. Na herhaalde vragen en de afspraak op het operationeel team van {meeting} is er nog altijd geen beslissing, terwijl de veiligheid van {victim} ervan afhangt. Ik vraag de stuurgroep om een beslissing."

CRISIS_VIDEO = "https://video.scheldevallei.example/crisisoverleg"
CRISIS_REASON = "{victim} belde haar advocaat: {perpetrator} en twee van zijn broers wachtten haar vanmiddag opnieuw op aan de school van {children}, ondanks het contactverbod. {perpetrator} zei dat hij de kinderen naar zijn familie brengt als ze de scheiding doorzet."
CRISIS_OUTCOME = "Afspraken: de politie rijdt de komende twee weken extra patrouilles aan de school en bij de ouders van {victim} en meldt de inbreuk op het contactverbod aan het parket. De advocaat vraagt bij de familierechtbank een verbod om de kinderen het land uit te brengen. De school laat {children} enkel ophalen door {victim} of haar ouders. De casusregisseur overloopt het veiligheidsplan opnieuw met {victim} en zet de evaluatie op het volgende operationeel team."

CONSULTATION_VIDEO = "https://video.scheldevallei.example/consultatie"
CONSULTATION_PHONE = "+32 9 000 00 00"
# (who signs up, which hour: "tuesday", "thursday" or "addiction", question, phone)
BOOKINGS = [
    ("lotte.michiels", "tuesday", "Een leerling van het vijfde leerjaar vertelt dat haar mama 's avonds vaak huilt en dat papa dan met spullen gooit. De moeder wil niet dat de school iets onderneemt. Is dit iets voor de ketenaanpak of eerst voor het Vertrouwenscentrum, en hoe spreek ik de moeder aan?", ""),
    ("ruben.aerts", "thursday", "Ik begeleid een jong gezin thuis. De moeder toonde me blauwe plekken en vroeg me niets te zeggen; onze organisatie heeft geen samenwerkingsakkoord. Wat mag ik delen zonder haar toestemming, en bij wie meld ik aan?", ""),
    ("fatma.yilmaz", "addiction", "Een bewoonster van het vluchthuis neemt sinds haar aankomst elke avond slaapmedicatie met alcohol. Hoe spreek ik dit aan zonder dat ze vertrekt, en wanneer verwijs ik door naar het CAD?", "+32 9 000 00 11"),
]
# Last week's sign-up, with the advice given.
PAST_BOOKING = (
    "katrien.bosmans",
    "tuesday",
    "Een jonge vrouw kwam dit jaar voor de derde keer op spoed na een 'val'. Ze ontkent geweld en haar partner wacht telkens in de gang. Hoe spreek ik haar alleen, en wat als ze geen hulp wil?",
    "Besproken: haar altijd alleen spreken (ook zonder partner in de gang), de letsels objectief vastleggen, het nummer 1712 en een veiligheidsplan meegeven. Bij een volgende keer, of als er kinderen in het gezin zijn, aanmelden via Ketenplan; bij ernstig en dreigend gevaar eerst de coördinator bellen.",
)
