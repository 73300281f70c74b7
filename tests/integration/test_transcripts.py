"""The transcript store on a real SQLite file and a real PostgreSQL."""
from concurrent.futures import ThreadPoolExecutor

from bot.store.transcripts import ANSWERED, PENDING, QUEUED, HANDLED


def test_a_channel_user_has_one_conversation_with_the_first_language(transcripts):
    first = transcripts.open_conversation("telegram", "42", "en")
    again = transcripts.open_conversation("telegram", "42", "sq")
    other = transcripts.open_conversation("widget", "42", None)
    assert again == first and first.language == "en"
    assert other.id != first.id and other.sender_id != first.sender_id


def test_concurrent_first_contacts_make_one_conversation(transcripts):
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: transcripts.open_conversation("widget", "same-session").id, range(16)))
    assert len(ids) == 1


def test_a_message_resent_with_the_same_client_id_is_stored_once(transcripts):
    conversation = transcripts.open_conversation("widget", "s1")
    first, new = transcripts.add_inbound(conversation.id, "Si regjistrohet një OJQ?", client_id="c-1")
    again, new_again = transcripts.add_inbound(conversation.id, "Si regjistrohet një OJQ?", client_id="c-1")
    assert new and not new_again and again.id == first.id
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: transcripts.add_inbound(conversation.id, "x", client_id="c-2"), range(8)))
    assert sum(created for _, created in results) == 1
    assert len({message.id for message, _ in results}) == 1
    assert [m.client_id for m in transcripts.history(conversation.id)] == ["c-1", "c-2"]


def test_pending_messages_come_in_order_and_answering_stores_replies_and_language(transcripts):
    conversation = transcripts.open_conversation("widget", "s2", "sq")
    one, _ = transcripts.add_inbound(conversation.id, "first")
    two, _ = transcripts.add_inbound(conversation.id, "second")
    transcripts.add_inbound(conversation.id, "x" * 10, status=HANDLED)
    assert transcripts.conversations_with_pending() == [conversation.id]
    assert transcripts.next_pending(conversation.id)[0].id == one.id
    _, replies = transcripts.answered(one, "en", "registration.steps",
                                   [{"text": "Answer", "buttons": [{"title": "More", "payload": "/article.more"}]}])
    assert [(r.author, r.status, r.buttons) for r in replies] == [
        ("bot", QUEUED, [{"title": "More", "payload": "/article.more"}])]
    assert transcripts.next_pending(conversation.id)[0].id == two.id
    stored = transcripts.conversation(conversation.id)
    assert (stored.language, stored.last_topic) == ("en", "registration.steps")
    statuses = [(m.text, m.status) for m in transcripts.history(conversation.id)]
    assert statuses == [("first", ANSWERED), ("second", PENDING), ("x" * 10, HANDLED), ("Answer", QUEUED)]
    assert [m.id for m in transcripts.undelivered("widget")] == [replies[0].id]


def test_user_text_is_stored_exactly(transcripts):
    conversation = transcripts.open_conversation("widget", "s3")
    tricky = "<script>alert('x')</script> ë ç 😀 'quotes' \"double\" \\ %s ; DROP TABLE messages; --"
    message, _ = transcripts.add_inbound(conversation.id, tricky)
    assert transcripts.history(conversation.id)[0].text == tricky == message.text


def test_past_conversations_are_found_by_words_topic_channel_and_date(transcripts):
    from datetime import datetime, timedelta, timezone
    widget = transcripts.open_conversation("widget", "s-search", "sq")
    telegram = transcripts.open_conversation("telegram", "99", "en")
    message, _ = transcripts.add_inbound(widget.id, "Si bëhet Statuti i OJQ-së? 100%_sigurt")
    transcripts.answered(message, "sq", "governance.statute", [{"text": "Statuti ..."}])
    transcripts.add_inbound(telegram.id, "How do I apply for public benefit status?")
    found = lambda **criteria: [r["conversation_id"] for r in transcripts.search(**criteria)]  # noqa: E731
    assert found(words="STATUTI") == [widget.id]
    assert found(words="100%_") == [widget.id] and found(words="%") == [widget.id]  # wildcards taken literally
    assert found(topic="governance.statute") == [widget.id]
    assert found(channel="telegram") == [telegram.id]
    assert set(found()) == {widget.id, telegram.id}
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    assert found(since=tomorrow) == [] and set(found(until=tomorrow)) == {widget.id, telegram.id}


def test_a_pending_message_comes_with_what_answering_it_needs(transcripts):
    conversation = transcripts.open_conversation("widget", "s-pending", "sq")
    message, new, (context, involved) = transcripts.add_pending(conversation.id, "tatimet?", client_id="p-1")
    assert new and message.status == "pending" and context == conversation and involved is False
    again, new_again, nothing = transcripts.add_pending(conversation.id, "tatimet?", client_id="p-1")
    assert (again.id, new_again, nothing) == (message.id, False, None)
