"""The evaluation measures understanding, not memory: no independent question nearly repeats an
example question of the knowledge base, and held-out items that nearly repeat a training
example are not scored."""
from bench.eval_nlu import held_out_items, independent_items
from bench.overlap import near_copies
from bot.knowledge.loader import load_knowledge
from bot.knowledge.training_data import training_examples


def test_near_copies_ignore_case_diacritics_and_small_edits_but_not_other_questions():
    training = ["Si regjistrohet një OJQ në Kosovë?", "How long does registration take?"]
    found = near_copies(training, ["si regjistrohet nje ojq ne kosove", "si regjistrohet OJQ ne Kosove?",
                                   "How long does it take to register an NGO?", "Kush e financon TACSO-n?"])
    assert [(q, t) for q, t, _ in found] == [("si regjistrohet nje ojq ne kosove", training[0]),
                                             ("si regjistrohet OJQ ne Kosove?", training[0])]


def test_no_independent_question_nearly_repeats_an_example_of_the_knowledge_base():
    kb = load_knowledge()
    examples = [e.text for intent in kb.intents for e in intent.examples]
    assert near_copies(examples, [item.text for item in independent_items()]) == []


def test_held_out_items_scored_do_not_nearly_repeat_a_training_example():
    kb = load_knowledge()
    items = held_out_items(kb)
    trained = [e.text for intent in kb.intents for e in training_examples(intent)]
    assert len(items) > 500 and near_copies(trained, [item.text for item in items]) == []
