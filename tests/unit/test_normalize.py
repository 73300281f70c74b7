import pytest

from bot.language.normalize import fold, normalize, normalize_albanian


@pytest.mark.parametrize("typed, expected", [
    ("Çfarë dokumentesh duhen?", "cfare dokumentesh duhen?"),
    ("  Një   OJQ  ", "nje ojq"),
    ("ËSHTË", "eshte"),
])
def test_fold_removes_diacritics_case_and_extra_space(typed, expected):
    assert fold(typed) == expected


@pytest.mark.parametrize("standard, without_diacritics", [
    ("Si të regjistroj një organizatë?", "si te regjistroj nje organizate?"),
    ("Çfarë duhet të përmbajë statuti?", "cfare duhet te permbaje statuti?"),
])
def test_albanian_with_and_without_diacritics_normalise_alike(standard, without_diacritics):
    assert normalize_albanian(standard) == normalize_albanian(without_diacritics)


@pytest.mark.parametrize("gheg, standard", [
    ("qysh me regjistru nji OJQ", "si të regjistruar një OJQ"),
    ("a duhet me pagu", "a duhet të paguar"),
    ("a duhet me pague", "a duhet të paguar"),
    ("sa kushton me regjistru organizaten", "sa kushton të regjistruar organizatën"),
    ("qka duhet me ba", "çfarë duhet të bërë"),
    ("a o e regjistrume", "a është e regjistrume"),
    ("shum flm", "shumë faleminderit"),
    ("e kena regjistru para dy vitesh", "e kemi regjistruar para dy vitesh"),
    ("a osht e regjistrume", "a është e regjistruar"),
    ("e kena dorzu statutin", "e kemi dorëzuar statutin"),
    ("jom veq vullnetar, s'kom organizat", "jam vetëm vullnetar, s'kam organizatë"),
    ("e kena ndrru emnin", "e kemi ndërruar emrin"),
    ("qdo vit, qregjistrimi, qeshtja", "çdo vit, çregjistrimi, çështja"),  # ç typed as q
    ("sa tatim pagujm e a bjen gjobe", "sa tatim paguajmë e a bie gjobë"),  # -uaj without its "a"
    ("nji koleg i huj, a ia shkruj", "një koleg i huaj, a ia shkruaj"),
    ("qka kan ba per shoqnin civile", "çfarë kanë bërë për shoqërinë civile"),
])
def test_gheg_forms_map_to_the_standard_form(gheg, standard):
    assert normalize_albanian(gheg) == normalize_albanian(standard)


@pytest.mark.parametrize("gheg, expected", [
    ("a duhet me u regjistru", "a duhet te u regjistruar"),  # reflexive infinitive
    ("a duhet me e pagu", "a duhet te e paguar"),  # with a clitic pronoun
])
def test_gheg_infinitive_with_a_clitic_between_me_and_the_verb(gheg, expected):
    assert normalize_albanian(gheg) == expected


@pytest.mark.parametrize("word", ["shoku", "tregu", "ketu", "keshtu", "kuorum", "minimum", "komun"])
def test_words_ending_like_gheg_participles_are_left_alone(word):
    # -u after k/g/h is a noun's definite ending; the others are adverbs and nouns ("komun" is
    # Gheg for komunë, the municipality), not participles.
    assert normalize_albanian(word) == word


@pytest.mark.parametrize("code_mixed", ["registration issue", "venue per eventin", "value for money"])
def test_english_words_in_albanian_questions_are_not_read_as_gheg_participles(code_mixed):
    assert "uar" not in normalize_albanian(code_mixed)


def test_final_schwa_dropped_in_gheg_matches_standard():
    assert normalize_albanian("organizat e re") == normalize_albanian("organizatë e re")


def test_english_is_only_folded_not_gheg_mapped():
    # "me" and "o" are Gheg words in Albanian but ordinary English words.
    assert normalize("Can you help me register o NGO?", "en") == "can you help me register o ngo?"


def test_normalisation_keeps_punctuation_tokens_and_never_fails_on_odd_input():
    assert normalize_albanian("") == ""
    assert normalize_albanian("???") == "? ? ?"
    assert normalize_albanian("me") == "me"
    assert normalize_albanian("<script>alert(1)</script>") != ""


def test_me_as_a_preposition_is_left_alone():
    # "me dokumente" means "with documents": no infinitive to map.
    assert normalize_albanian("me dokumente") == "me dokument"
