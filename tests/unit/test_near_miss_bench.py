"""How evaluation counts near-miss groups: as out_of_scope, and pointed the right way or not."""
from bench.eval_nlu import Item, gold_topic
from bench.near_miss import summary


def test_near_miss_groups_are_scored_as_out_of_scope():
    assert gold_topic("out_of_scope.business") == "out_of_scope"
    assert gold_topic("out_of_scope") == "out_of_scope"
    assert gold_topic("language.to_en") == "language.switch"
    assert gold_topic("registration.how") == "registration.how"


def test_the_summary_counts_refusals_and_right_pointers():
    def item(text, pointer=None):
        return Item(text, "out_of_scope", "sq", "standard", "independent", near_miss=True, pointer=pointer)

    items = [item("shpk", "out_of_scope.business"), item("tvsh", "out_of_scope.tax_private"),
             item("viza"), item("leje ndertimi")]
    results = [{"topic": "out_of_scope", "pointer": "out_of_scope.business"},
               {"topic": "out_of_scope", "pointer": "out_of_scope.business"},
               {"topic": "out_of_scope", "pointer": None},
               {"topic": "registration.how", "pointer": None}]
    result = summary(items, results)
    assert (result["refused"], result["with_a_group"], result["refused_with_the_right_pointer"]) == (3, 2, 1)
    assert (result["without_a_group"], result["given_a_pointer_anyway"]) == (2, 0)
    assert [m["text"] for m in result["misses"]] == ["tvsh", "leje ndertimi"]
