from bot.dialogue.decision import (
    CLARIFY, HANDOFF, LANGUAGE_SWITCH, OUT_OF_SCOPE, Context, Thresholds, decide, is_article,
)

T = Thresholds()
RELATED = {"registration.how": ("registration.documents", "registration.time_fee")}


def related(article_id):
    return RELATED.get(article_id, ())


def test_a_clear_article_is_answered():
    d = decide([("registration.how", 0.8), ("registration.documents", 0.1)], "how do I register an NGO")
    assert (d.topic, d.candidates) == ("registration.how", ())


def test_two_close_articles_are_offered_as_buttons_instead_of_guessing():
    d = decide([("registration.how", 0.36), ("registration.documents", 0.33), ("pbs.apply", 0.2),
                ("governance.statute", 0.05)], "registration papers")
    assert d.topic == CLARIFY
    assert d.candidates == ("registration.how", "registration.documents", "pbs.apply")


def test_clarification_never_offers_more_than_three_or_unlikely_articles():
    d = decide([("a.one", 0.3), ("a.two", 0.28), ("a.three", 0.2), ("a.four", 0.19)], "x")
    assert len(d.candidates) <= T.max_candidates
    d = decide([("a.one", 0.3), ("a.two", 0.28), ("a.three", T.candidate / 2)], "x")
    assert d.candidates == ("a.one", "a.two")


def test_low_confidence_everywhere_is_out_of_scope():
    d = decide([("registration.how", 0.1), ("pbs.apply", 0.09), ("chitchat.greet", 0.05)], "blue whales")
    assert d.topic == OUT_OF_SCOPE


def test_the_out_of_scope_intent_is_refused():
    assert decide([(OUT_OF_SCOPE, 0.5), ("registration.how", 0.3)], "register a company").topic == OUT_OF_SCOPE


def test_the_second_failure_in_a_row_hands_off():
    first = decide([(OUT_OF_SCOPE, 0.9)], "weather?", Context(failed_attempts=0))
    second = decide([(OUT_OF_SCOPE, 0.9)], "football?", Context(failed_attempts=1))
    assert first.topic == OUT_OF_SCOPE
    assert (second.topic, second.handoff_reason) == (HANDOFF, "failed_attempts")


def test_an_explicit_request_for_a_person_hands_off():
    d = decide([(HANDOFF, 0.9)], "I want to talk to a person")
    assert (d.topic, d.handoff_reason) == (HANDOFF, "user_request")


def test_language_requests_are_one_topic_with_a_target():
    d = decide([("language.to_en", 0.9)], "English please")
    assert (d.topic, d.language_target) == (LANGUAGE_SWITCH, "en")


def test_a_short_follow_up_goes_to_an_article_related_to_the_last_one():
    ranking = [("eufunds.info_sessions", 0.3), ("registration.time_fee", 0.25), ("p2p.join", 0.2)]
    without_context = decide(ranking, "and how long does it take?", related=related)
    with_context = decide(ranking, "and how long does it take?", Context(last_article="registration.how"),
                          related=related)
    assert without_context.topic != "registration.time_fee"
    assert with_context.topic == "registration.time_fee"


def test_a_long_new_question_is_not_bent_towards_the_last_article():
    ranking = [("eufunds.pador", 0.6), ("registration.time_fee", 0.2)]
    text = "how do we register in PADOR to get a EuropeAid ID for our application"
    assert decide(ranking, text, Context(last_article="registration.how"), related=related).topic == "eufunds.pador"


def test_more_continues_the_last_article_and_is_not_understood_without_one():
    d = decide([("article.more", 0.9)], "more", Context(last_article="pbs.apply"))
    assert (d.topic, d.more) == ("pbs.apply", True)
    assert decide([("article.more", 0.9)], "more").topic == OUT_OF_SCOPE


def test_empty_ranking_is_out_of_scope():
    assert decide([], "").topic == OUT_OF_SCOPE


def test_article_ids_are_told_apart_from_conversation_intents():
    assert is_article("registration.how")
    assert not any(is_article(i) for i in ("chitchat.greet", "language.to_en", "article.more", HANDOFF, OUT_OF_SCOPE))


def test_a_near_miss_group_is_refused_with_its_pointer():
    d = decide([("out_of_scope.business", 0.6), ("registration.how", 0.3)], "si ta hap nje shpk")
    assert (d.topic, d.pointer) == (OUT_OF_SCOPE, "out_of_scope.business")
    assert not d.is_failure  # the user was told where to go


def test_near_misses_in_a_row_each_get_their_pointer_instead_of_a_handoff():
    after_a_failure = decide([("out_of_scope.political_party", 0.7)], "si regjistrohet partia", Context(failed_attempts=1))
    assert (after_a_failure.topic, after_a_failure.pointer) == (OUT_OF_SCOPE, "out_of_scope.political_party")


def test_out_of_scope_groups_compete_as_one_class():
    # "how do i shut down my llc": each group alone loses to the NGO dissolution article, together they win.
    ranking = [("governance.dissolution", 0.40), ("out_of_scope.business", 0.30), (OUT_OF_SCOPE, 0.20),
               ("registration.how", 0.10)]
    d = decide(ranking, "how do i shut down my llc")
    assert (d.topic, d.pointer) == (OUT_OF_SCOPE, "out_of_scope.business")
    assert decide([("governance.dissolution", 0.40), (OUT_OF_SCOPE, 0.30), ("out_of_scope.business", 0.20)],
                  "x").pointer is None  # the likeliest group is the plain one: no pointer
    assert decide([("governance.dissolution", 0.55), ("out_of_scope.business", 0.30), (OUT_OF_SCOPE, 0.15)],
                  "x").topic == "governance.dissolution"


def test_a_plain_refusal_has_no_pointer():
    assert decide([(OUT_OF_SCOPE, 0.6), ("out_of_scope.business", 0.3)], "weather?").pointer is None
    assert decide([("nlu_fallback", 0.6)], "??").pointer is None
    assert decide([("nlu_fallback", 0.6), ("out_of_scope.business", 0.3)], "??").pointer is None
    # Refused for low confidence: the group is not what the message is about, so no pointer.
    d = decide([("registration.how", 0.2), ("out_of_scope.business", 0.19), ("pbs.apply", 0.05)], "hmm")
    assert (d.topic, d.pointer) == (OUT_OF_SCOPE, None)


def test_near_miss_groups_are_neither_articles_nor_offered_as_candidates():
    assert not is_article("out_of_scope.tax_private")
    d = decide([("registration.how", 0.29), ("out_of_scope.business", 0.28), ("registration.documents", 0.25)], "x")
    assert d.topic == CLARIFY and "out_of_scope.business" not in d.candidates
