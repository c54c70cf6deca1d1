"""Generic English word lists used by the analysis rules.

These are general vocabulary (titles, cue verbs, source nouns, holidays, common country
aliases), never names taken from any particular article: the rules must work on any news text.
"""

from __future__ import annotations

#: Words that, placed right before a name, make it a person and are not part of the name.
PERSON_TITLES: frozenset[str] = frozenset(
    """
    general gen gen. lieutenant lt lt. colonel col col. major maj maj. captain capt capt. admiral adm
    adm. sergeant sgt sgt. commander cmdr corporal cpl private brigadier marshal field
    president vice prime minister secretary senator sen sen. representative rep rep. governor gov
    gov. mayor chancellor king queen prince princess pope rabbi father sheikh imam cardinal bishop
    dr dr. mr mr. mrs mrs. ms ms. sir lord lady dame judge justice chief director chairman chairwoman
    chair commissioner ambassador envoy speaker premier ceo chief-of-staff deputy acting assistant
    attorney spokesman spokeswoman spokesperson professor prof prof. coach
    councillor councilor alderman
    """.split()
)

#: Title words that name an office (stronger role evidence than a bare military rank).
OFFICE_WORDS: frozenset[str] = frozenset(
    """
    president minister secretary senator governor mayor chancellor chief director chairman
    chairwoman chair commissioner ambassador envoy speaker premier ceo head spokesman
    spokeswoman spokesperson attorney judge justice king queen pope
    """.split()
)

#: Military and honorific ranks: they make a person but are weak as a role.
RANK_WORDS: frozenset[str] = PERSON_TITLES - OFFICE_WORDS

#: Lower-case occupation nouns that act as a role right before a name ("nuclear scientist X").
OCCUPATION_NOUNS: frozenset[str] = frozenset(
    """
    scientist physicist engineer lawyer journalist reporter editor author writer activist analyst
    economist researcher professor historian businessman businesswoman entrepreneur investor
    actor actress singer player striker coach footballer spokesman spokeswoman spokesperson
    official diplomat leader commander candidate lawmaker legislator adviser advisor aide
    billionaire founder owner banker doctor surgeon
    """.split()
)

#: Single-word department names that the small model tags as ORG inside "Defense Minister".
DEPARTMENT_WORDS: frozenset[str] = frozenset(
    "defense defence foreign finance interior justice health treasury state home economy "
    "education energy labor labour trade transport agriculture environment".split()
)

#: Holidays and festivals: events, never organisations.
HOLIDAYS: frozenset[str] = frozenset(
    """
    hanukkah chanukah christmas easter ramadan eid passover diwali thanksgiving halloween
    yom kippur rosh hashanah purim sukkot lent advent pentecost nowruz ramadhan new year
    """.split()
)
HOLIDAY_PHRASES: frozenset[str] = frozenset(
    {"yom kippur", "rosh hashanah", "new year", "new year's day", "eid al-fitr", "eid al-adha"}
)

#: Verbs (lemmas) that attribute speech or a statement to a source.
CUE_LEMMAS: frozenset[str] = frozenset(
    """
    say tell add stress warn explain note argue claim insist state announce confirm deny
    emphasize emphasise underline reveal admit acknowledge report write declare assert
    suggest point recall predict estimate believe caution concede contend maintain
    reiterate remark comment answer reply respond ask
    """.split()
)

#: Cue words for non-parsed text (regex fallback): inflected forms of the common cues.
CUE_FORMS: frozenset[str] = frozenset(
    """
    said says told tells added adds stressed stresses warned warns explained explains noted notes
    argued argues claimed claims insisted insists stated states announced confirmed denied
    emphasized emphasised reiterated remarked replied responded wrote writes declared asked
    """.split()
)

#: Head nouns of generic (anonymous) sources.
SOURCE_NOUNS: frozenset[str] = frozenset(
    """
    source official officer diplomat spokesman spokeswoman spokesperson representative aide
    insider adviser advisor person people individual witness staffer employee commander soldier
    lawmaker negotiator member analyst expert observer
    resident participant attendee figure insider delegate envoy executive manager investor banker
    lawyer attorney worker trader economist researcher scientist doctor
    """.split()
)

#: Third-person pronouns by grammatical gender.
MALE_PRONOUNS: frozenset[str] = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS: frozenset[str] = frozenset({"she", "her", "hers", "herself"})

#: Common country aliases (surface form -> canonical name).
COUNTRY_ALIASES: dict[str, str] = {
    "us": "United States",
    "u.s.": "United States",
    "u.s": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "america": "United States",
    "united states": "United States",
    "united states of america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "uae": "United Arab Emirates",
    "u.a.e.": "United Arab Emirates",
    "united arab emirates": "United Arab Emirates",
    "emirates": "United Arab Emirates",
    "eu": "European Union",
    "e.u.": "European Union",
    "european union": "European Union",
    "un": "United Nations",
    "u.n.": "United Nations",
    "united nations": "United Nations",
    "ussr": "Soviet Union",
    "soviet union": "Soviet Union",
    "prc": "China",
    "drc": "Democratic Republic of the Congo",
}

#: Widely known organisation acronyms, used only when the text does not define them itself.
KNOWN_ACRONYMS: dict[str, str] = {
    "NATO": "North Atlantic Treaty Organization",
    "FBI": "Federal Bureau of Investigation",
    "CIA": "Central Intelligence Agency",
    "NSA": "National Security Agency",
    "IMF": "International Monetary Fund",
    "WHO": "World Health Organization",
    "WTO": "World Trade Organization",
    "IAEA": "International Atomic Energy Agency",
    "OPEC": "Organization of the Petroleum Exporting Countries",
    "NASA": "National Aeronautics and Space Administration",
    "ECB": "European Central Bank",
    "ICC": "International Criminal Court",
    "UNESCO": "United Nations Educational, Scientific and Cultural Organization",
    "UNICEF": "United Nations Children's Fund",
    "OECD": "Organisation for Economic Co-operation and Development",
    "DHS": "Department of Homeland Security",
    "DOJ": "Department of Justice",
    "SEC": "Securities and Exchange Commission",
    "FDA": "Food and Drug Administration",
    "CDC": "Centers for Disease Control and Prevention",
    "PLO": "Palestine Liberation Organization",
    "PA": "Palestinian Authority",
}

#: Words skipped when comparing initials of an organisation name with an acronym.
INITIALS_STOPWORDS: frozenset[str] = frozenset({"of", "the", "and", "for", "on", "in", "&", "de"})

NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "thousand": 1000, "million": 1_000_000,
    "billion": 1_000_000_000, "dozen": 12, "dozens": 24,
}

ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20,
    "hundredth": 100,
}

WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
MONTHS: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)

# --- Sources and attribution (quotes, attribution, sourcing) -------------------------------

#: Head nouns of insider sources: unnamed, they make an attribution anonymous ("two senior
#: officials", "a source close to the talks", "people familiar with the plan").
INSIDER_NOUNS: frozenset[str] = frozenset(
    """
    source official officer diplomat spokesman spokeswoman spokesperson representative aide
    insider adviser advisor person people individual staffer commander negotiator executive
    manager functionary delegate envoy participant attendee operative confidant
    bureaucrat insider media
    """.split()
)

#: Head nouns of people who are quoted as themselves (a resident, an analyst): unnamed, they
#: are anonymous only when singled out ("a resident said"), when the text says they asked not
#: to be named, or when they spoke to the outlet; a bare plural ("Analysts said") is a group.
COMMENTATOR_NOUNS: frozenset[str] = frozenset(
    """
    analyst expert economist researcher scientist observer investor trader banker lawyer
    attorney doctor nurse worker resident witness member lawmaker legislator councillor
    councilor critic activist campaigner employee soldier student teacher farmer driver
    passenger commuter neighbour neighbor villager local minister politician candidate voter
    survivor relative colleague supporter opponent protester owner shopkeeper director engineer
    contractor consultant expert firefighter paramedic physician surgeon
    """.split()
)

#: Heads of collective institutions: the affiliation of a source ("health ministry official").
INSTITUTION_NOUNS: frozenset[str] = frozenset(
    """
    ministry department police army military navy government administration agency office
    embassy council commission committee union company firm authority board parliament party
    service services force forces intelligence security cabinet palace court prosecutor
    prosecutors regulator bank campaign team staff municipality city hall house senate congress
    coalition opposition delegation mission fire hospital university
    ministerio gobierno policía ministerium regierung polizei ministère gouvernement
    """.split()
)

#: Seniority of a source, longest phrases first ("high-ranking" before "high").
SENIORITY_WORDS: tuple[str, ...] = (
    "high-ranking", "high ranking", "highly placed", "highly-placed", "high-level", "high level",
    "top-level", "top-ranking", "senior-level", "mid-level", "mid-ranking", "middle-ranking",
    "low-level", "low-ranking", "lower-level", "junior", "senior", "top", "ranking",
)

#: Words that make a source plural without a plural noun ("several", "a number of").
PLURAL_QUANTIFIERS: frozenset[str] = frozenset(
    "several many some few multiple various numerous both dozens scores hundreds".split()
)

#: Nouns an attribution verb's object names when the source spoke to a body, not the outlet.
PUBLIC_BODY_NOUNS: frozenset[str] = frozenset(
    """
    parliament congress senate council committee assembly court conference summit tribunal
    board forum jury hearing inquiry reporters journalists press crowd audience supporters
    lawmakers delegates members students voters
    """.split()
)

#: More attribution verbs (lemmas): beliefs and informing; used with a clause ("fear that …").
CUE_LEMMAS_EXTRA: frozenset[str] = frozenset(
    "fear worry think expect hope doubt inform disclose indicate brief testify".split()
)

#: Adjectives that attribute a view with "be" and a clause ("officials are afraid that …").
CUE_ADJECTIVES: frozenset[str] = frozenset(
    "afraid concerned worried confident convinced adamant optimistic hopeful certain sure".split()
)

#: Attribution verbs of German, Spanish and French (inflected forms), for text without a parse.
CUE_FORMS_OTHER: frozenset[str] = frozenset(
    """
    sagte sagten sagt sagen erklärte erklärten erklärt betonte betonten warnte warnten
    versicherte versicherten meinte meinten berichtete berichteten berichten berichtet
    bestätigte bestätigten kritisierte forderte fügte ergänzte räumte teilte gesagt sprach
    dijo dijeron dice dicen afirmó afirmaron afirma aseguró aseguraron asegura declaró
    declararon señaló señalaron señalan explicó explicaron indicó indicaron añadió añadieron
    advirtió advirtieron reconoció comentó confirmó confirmaron subrayó destacó sostuvo
    calculan calculó calificó estiman estimó insistió
    déclaré déclare déclarent dit affirmé affirme expliqué explique ajouté ajoute indiqué
    indique souligné souligne estimé estime assuré assure confié confie précisé précise
    """.split()
)

#: "According to" in German, Spanish and French (lower case, as a regex alternation).
ACCORDING_TO_OTHER: tuple[str, ...] = (
    r"según", r"de acuerdo con", r"laut", r"nach angaben (?:aus|von|der|des)",
    r"nach informationen (?:aus|von|der|des)", r"aus", r"selon", r"d['’]après",
)  # "aus Regierungskreisen hieß es": counted only when a source noun follows

#: Source nouns of German, Spanish and French; German compounds end in these ("Regierungskreise").
SOURCE_NOUNS_OTHER: frozenset[str] = frozenset(
    """
    fuente fuentes portavoz portavoces funcionario funcionarios funcionaria diplomático
    diplomáticos diplomática responsable responsables persona personas analistas
    quelle quellen kreise kreisen sprecher sprecherin diplomat diplomaten beamter beamte
    beamten insider personen vertreter medien
    source sources responsable responsables diplomate diplomates fonctionnaire fonctionnaires
    porte-parole proche proches
    """.split()
)

#: German compound tails that make a source noun ("Diplomatenkreise", "Regierungssprecher").
SOURCE_SUFFIXES_DE: tuple[str, ...] = ("kreise", "kreisen", "quelle", "quellen", "sprecher",
                                       "sprecherin")
