"""The import's fast way of finding likely records on a day (rapidfuzz compares a row's
names with the whole day at once) finds exactly what putting every record of that day to
the rule (_name_reasons) finds."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import JaroWinkler

from app.services import matching

DAY = date(2015, 3, 1)
# few letters, so that similar names (the interesting case) are common
NAME = st.text(alphabet="aeinorsAO' -é", min_size=1, max_size=12)


def _index(records: list[tuple[str, str]]) -> matching.Index:
    index = matching.Index()
    index.by_day[DAY] = matching._Day()
    for n, (family, given_names) in enumerate(records, start=1):
        index.by_day[DAY].add(matching.Known(n, matching.name_key(family),
                                             matching.name_key(given_names)))
    return index


def _every_record(records, family: str, given_names: str) -> list[tuple[int, list[str]]]:
    family, given_names = matching.name_key(family), matching.name_key(given_names)
    found = [(n, matching._name_reasons(matching.Known(n, matching.name_key(f),
                                                       matching.name_key(g)),
                                        family, given_names))
             for n, (f, g) in enumerate(records, start=1)]
    return sorted([(n, r) for n, r in found if r], key=lambda item: -len(item[1]))


@settings(max_examples=400, deadline=None)
@given(records=st.lists(st.tuples(NAME, NAME), max_size=30), family=NAME, given_names=NAME)
def test_the_day_finds_what_the_rule_finds(records, family, given_names):
    found = _index(records).matches(given_names=given_names, family_name=family,
                                    date_of_birth=DAY, identifier_values={})
    assert found == _every_record(records, family, given_names)


@settings(max_examples=300, deadline=None)
@given(a=st.text(alphabet="abcdehr", max_size=10), b=st.text(alphabet="abcdehr", max_size=10))
def test_jaro_winkler_is_symmetric(a, b):
    """The fast way compares (row, record) where the rule says (record, row)."""
    assert (JaroWinkler.normalized_similarity(a, b)
            == JaroWinkler.normalized_similarity(b, a))


def test_swapped_and_similar_names_are_found():
    records = [("O'Neill", "Amelia"), ("Smyth", "Jon"), ("Khan", "Muhammad"),
               ("Brown", "Zoe")]
    index = _index(records)

    def ids(given_names, family):
        return [n for n, _ in index.matches(given_names=given_names, family_name=family,
                                            date_of_birth=DAY, identifier_values={})]
    assert ids("Amelia", "O'Neil") == [1]
    assert ids("O'Neill", "Amelia") == [1]  # swapped
    assert ids("John", "Smith") == [2]
    assert ids("Mohammed", "Khan") == [3]
    assert ids("Zoe", "Green") == []
