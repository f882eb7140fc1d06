"""Similar ideas: the engine that finds, while someone types, the existing items saying the same thing."""

import time

from concerto.core.texts import similar
from concerto.core.texts.similar import Scope, Version, build, document, search

IDEAS = [
    (1, document("Créer des pistes cyclables sécurisées avenue de la République", "Les vélos roulent avec les bus.")),
    (2, document("Planter des arbres dans les cours d'écoles", "Plus d'ombre pour les enfants l'été.")),
    (3, document("Installer des bancs au parc Montsouris", "Les personnes âgées veulent s'asseoir.")),
    (4, document("Rénover la piscine municipale", "Les vestiaires sont vétustes.")),
    (5, document("Un composteur partagé square Louise Michel", "Pour réduire nos déchets.")),
]


def _scope(rows, stamp="v1", key="ideas"):
    state = {"rows": list(rows), "stamp": stamp}
    scope = Scope(key=key, rows=lambda: list(state["rows"]),
                  version=lambda: Version(rows=len(state["rows"]), stamp=state["stamp"]))
    return scope, state


def test_a_paraphrase_with_plurals_accents_and_elisions_is_found_first():
    index = build(IDEAS)
    found = search(index, "une piste cyclable securisee pour les velos")
    assert found[0][0] == 1 and found[0][1] > 0.4
    found = search(index, "Végétaliser la cour de l’école avec un arbre")
    assert [pk for pk, _score in found] == [2]
    assert search(index, "PISCINE") and search(index, "PISCINE")[0][0] == 4


def test_the_word_being_typed_is_completed_with_the_terms_it_begins():
    index = build(IDEAS)
    assert search(index, "des pistes cycl")[0][0] == 1
    assert search(index, "un compost")[0][0] == 5
    assert search(index, "un compost ") == []  # a finished word is not completed
    assert search(index, "zzzz") == [] and search(index, "pl") == []


def test_unrelated_text_and_function_words_find_nothing():
    index = build(IDEAS)
    assert search(index, "un marché de producteurs le dimanche") == []
    assert search(index, "le la les de des pour avec dans") == []


def test_scores_are_ordered_limited_and_above_the_threshold():
    index = build(IDEAS + [(6, document("Des pistes cyclables rue de Paris", "")),
                           (7, document("Piste cyclable quai de Seine", ""))])
    found = search(index, "pistes cyclables", limit=2, threshold=0.1)
    assert len(found) == 2
    assert found[0][1] >= found[1][1] >= 0.1
    assert {pk for pk, _score in search(index, "pistes cyclables", threshold=0.1)} == {1, 6, 7}
    assert search(index, "pistes cyclables", threshold=0.99) == []


def test_excluded_items_are_never_suggested():
    index = build(IDEAS)
    assert search(index, "planter des arbres", exclude=[2]) == []


def test_empty_and_huge_queries_and_an_empty_scope():
    scope, _state = _scope(IDEAS)
    assert similar.similar(scope, "") == [] and similar.similar(scope, "   ") == []
    assert similar.similar(scope, None) == []
    start = time.perf_counter()
    found = similar.similar(scope, "planter des arbres à l'école " * 20_000)
    assert found[0][0] == 2 and time.perf_counter() - start < 2
    start = time.perf_counter()
    assert similar.similar(scope, "x" * 200_000 + " ") == []  # one endless « word »
    assert time.perf_counter() - start < 2
    empty, _state = _scope([], key="empty")
    assert similar.similar(empty, "planter des arbres") == []
    only_function_words, _state = _scope([(1, "le la les")], key="words")
    assert similar.similar(only_function_words, "planter des arbres") == []


def test_a_new_version_of_the_scope_is_fitted_again(settings):
    settings.CONCERTO_SIMILAR_CHECK_SECONDS = 0
    scope, state = _scope(IDEAS)
    assert similar.similar(scope, "une ludothèque au centre") == []
    state["rows"].append((9, document("Ouvrir une ludothèque au centre-ville", "")))
    state["stamp"] = "v2"
    assert [pk for pk, _score in similar.similar(scope, "une ludothèque au centre")] == [9]
    # Removed (hidden, merged...): gone at the next version.
    state["rows"] = [row for row in state["rows"] if row[0] != 9]
    state["stamp"] = "v3"
    assert similar.similar(scope, "une ludothèque au centre") == []


def test_the_version_is_asked_at_most_every_few_seconds(settings):
    settings.CONCERTO_SIMILAR_CHECK_SECONDS = 60
    asked = []
    rows = list(IDEAS)
    scope = Scope(key="counted", rows=lambda: rows,
                  version=lambda: asked.append(1) or Version(rows=len(rows), stamp=len(rows)))
    for _ in range(5):
        assert similar.similar(scope, "planter des arbres")
    assert len(asked) == 1


def test_a_large_scope_is_fitted_in_the_background_while_the_old_index_answers(settings):
    settings.CONCERTO_SIMILAR_CHECK_SECONDS = 0
    settings.CONCERTO_SIMILAR_SYNC_ROWS = 3
    settings.CONCERTO_SIMILAR_REFIT_SECONDS = 0
    scope, state = _scope(IDEAS, key="large")
    # No index yet: nothing is suggested while the first fit runs, and the request does not wait for it.
    assert similar.similar(scope, "planter des arbres") == []
    _wait_for(lambda: similar.current(scope) is not None)
    assert similar.similar(scope, "planter des arbres")[0][0] == 2
    state["rows"] = [(10, document("Une ludothèque au centre-ville", "")), *state["rows"]]
    state["stamp"] = "v2"
    # The previous index keeps answering until the new one is ready, then the new item is found.
    assert similar.similar(scope, "planter des arbres")[0][0] == 2
    _wait_for(lambda: similar.similar(scope, "une ludothèque") != [])
    assert similar.similar(scope, "une ludothèque")[0][0] == 10


def test_a_large_scope_is_not_fitted_again_more_often_than_the_refit_interval(settings):
    settings.CONCERTO_SIMILAR_CHECK_SECONDS = 0
    settings.CONCERTO_SIMILAR_SYNC_ROWS = 3
    settings.CONCERTO_SIMILAR_REFIT_SECONDS = 3600
    scope, state = _scope(IDEAS, key="busy")
    similar.similar(scope, "planter des arbres")
    _wait_for(lambda: similar.current(scope) is not None)
    state["rows"].append((11, document("Une ludothèque au centre-ville", "")))
    state["stamp"] = "v2"
    time.sleep(0.1)
    assert similar.similar(scope, "une ludothèque") == []  # the previous fit answers until the interval ends
    assert not similar._indexes.building


def test_the_process_keeps_a_bounded_number_of_rows(settings):
    settings.CONCERTO_SIMILAR_MAX_ROWS = 8
    first, _state = _scope(IDEAS, key="first")
    second, _state = _scope(IDEAS, key="second")
    assert similar.similar(first, "planter des arbres") and similar.similar(second, "planter des arbres")
    assert "first" not in similar._indexes.entries and "second" in similar._indexes.entries


def test_the_document_counts_the_title_twice_and_drops_markup():
    text = document("Des bancs", "<p>Au <strong>parc</strong></p>")
    assert text.count("Des bancs") == 2 and "strong" not in text and "parc" in text


def _wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background fit did not finish"
        time.sleep(0.02)


def test_typed_reads_the_forms_own_fields_and_cuts_each_to_what_forms_accept():
    data = {"title": "t" * 1_000, "text": "x" * 9_000, "description": "Lampadaire éteint"}
    assert similar.typed(data) == "t" * similar.TYPED_TITLE_MAX + "\n" + "x" * similar.TYPED_TEXT_MAX
    assert similar.typed(data, ("description",)) == "Lampadaire éteint"
    assert similar.typed({}, ("description",)) == ""


def test_likely_pairs_name_each_pair_once_the_closest_first():
    twin = (6, document("Sécuriser les pistes cyclables de l'avenue de la République", "Les vélos et les bus."))
    scope, _state = _scope([*IDEAS, twin], key="pairs")
    pairs = similar.likely_pairs(scope, [twin, IDEAS[0]])
    assert [(first, second) for first, second, _score in pairs] == [(1, 6)]
    assert pairs[0][2] >= similar.DUPLICATE_THRESHOLD
    assert similar.likely_pairs(scope, [IDEAS[3]]) == []  # the swimming pool has no twin
