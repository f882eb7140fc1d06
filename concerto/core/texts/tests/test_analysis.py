"""The French reading of free texts that themes and similar ideas share."""

from sklearn.metrics.pairwise import cosine_similarity

from concerto.core.texts.analysis import analyse, terms, vectorizer


def test_plural_and_singular_give_the_same_terms():
    assert terms("Des pistes cyclables") == terms("une piste cyclable")
    assert len(terms("une piste cyclable")) == 2


def test_elisions_and_function_words_are_left_out():
    assert terms("l'école") == terms("école")
    assert terms("jusqu’à l’arrêt") == terms("arrêt")
    assert terms("le la les de du des et ou mais donc") == []


def test_accents_do_not_separate_words():
    assert terms("vélo") == terms("velo")
    assert terms("Végétalisation des cours d'école") == terms("vegetalisation cours ecole")


def test_digits_and_one_letter_words_are_left_out_and_hyphens_split():
    assert terms("2024 x 12") == []
    assert terms("vélo-école") == terms("vélo école")


def test_words_as_written_are_kept_for_labels():
    assert [word for _term, word in analyse("Plus d'arbres, rue Houdan")] == ["arbres", "rue", "houdan"]


def test_empty_none_and_huge_texts():
    assert terms("") == [] and terms(None) == []
    assert 3_300 < len(terms("arbre " * 100_000)) < 3_400  # cut at 20,000 characters (6 a word)


def test_vectorizer_finds_the_text_about_the_same_thing():
    texts = ["Créer des pistes cyclables sécurisées avenue de la République",
             "Planter des arbres dans les cours d'écoles",
             "Installer des bancs au parc Montsouris"]
    vectors = vectorizer().fit(texts)
    query = vectors.transform(["une piste cyclable sécurisée"])
    scores = cosine_similarity(query, vectors.transform(texts))[0]
    assert scores.argmax() == 0 and scores[0] > 0.5 and scores[1] == 0
