"""Reads knowledge/ (articles) and conversation/ (non-article intents) and checks them.

Problems are collected, not raised one at a time, so that `helpdesk kb check` can
tell a staff member everything that is wrong in one run, by file and field.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from bot.language.normalize import fold
from bot.knowledge.model import LANGUAGES, OUT_OF_SCOPE, STYLES, Article, Example, Intent, Pointer, Source

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
CONVERSATION_DIR = PROJECT_ROOT / "conversation"
CATALOGUE_FILE = Path(__file__).with_name("catalogue.yml")

MIN_EXAMPLES_PER_LANGUAGE = 20
# Small talk and commands are shorter and less varied than real questions.
MIN_CONVERSATION_EXAMPLES_PER_LANGUAGE = 12
MAX_TITLE_CHARS = 60
# A phone screen shows about this much without scrolling; longer text goes to `more`.
MAX_ANSWER_CHARS = 900
# A pointer comes between the refusal and the list of topics, in the same message.
MAX_POINTER_CHARS = 400
URL_RE = re.compile(r"https?://\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:org|net|eu|com|gov|ks)\b[^\s,;)]*", re.I)
NUMBER_RE = re.compile(r"(?<![\w.])\d[\d.,]*\d|(?<![\w.])\d(?![\w])")


@dataclass
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


@dataclass
class KnowledgeBase:
    articles: Dict[str, Article] = field(default_factory=dict)
    conversation: Dict[str, Intent] = field(default_factory=dict)
    # Out-of-scope groups' pointers, by intent id (conversation/out_of_scope.*.yml).
    pointers: Dict[str, Pointer] = field(default_factory=dict)
    problems: List[Problem] = field(default_factory=list)

    @property
    def intents(self) -> List[Intent]:
        """Every intent the classifier learns, articles first, in a stable order."""
        return [*self.articles.values(), *self.conversation.values()]

    def article(self, article_id: str) -> Optional[Article]:
        return self.articles.get(article_id)


def catalogue_ids() -> List[str]:
    return [row["id"] for row in yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))]


class _FileReader:
    """Reads one YAML file and records problems against its fields."""

    def __init__(self, path: Path, root: Path, problems: List[Problem]):
        self.path = path
        self.name = str(path.relative_to(root.parent)) if root.parent in path.parents else path.name
        self.problems = problems

    def problem(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.name, field_name, message))

    def load(self) -> Optional[Dict[str, Any]]:
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.problem("", "is not UTF-8 text; save it as UTF-8")
            return None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f" near line {mark.line + 1}" if mark else ""
            self.problem("", f"is not valid YAML{line} ({getattr(error, 'problem', error)}); "
                             "check indentation and quote texts that contain ': '")
            return None
        if not isinstance(data, dict):
            self.problem("", "must be a set of fields (id, answer, examples, ...), not a list or text")
            return None
        return data

    def text(self, data: Dict[str, Any], key: str, path: str) -> str:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(path, "is missing or empty")
            return ""
        if not isinstance(value, str):
            self.problem(path, "must be text")
            return ""
        return value.strip()

    def per_language(self, data: Dict[str, Any], key: str, required: bool = True) -> Dict[str, str]:
        block = data.get(key)
        if block is None and not required:
            return {}
        if not isinstance(block, dict):
            self.problem(key, "must have an 'sq' (Albanian) and an 'en' (English) text")
            return {}
        return {lang: self.text(block, lang, f"{key}.{lang}") for lang in LANGUAGES}

    def examples(self, data: Dict[str, Any], minimum: int) -> Tuple[Example, ...]:
        block = data.get("examples")
        if not isinstance(block, dict):
            self.problem("examples", "is missing: give example questions under 'sq' and 'en'")
            return ()
        result: List[Example] = []
        seen: Dict[str, str] = {}
        for lang in LANGUAGES:
            styles = block.get(lang)
            if not isinstance(styles, dict):
                self.problem(f"examples.{lang}", f"is missing: group the questions by style ({', '.join(STYLES[lang])})")
                continue
            count = 0
            for style, texts in styles.items():
                where = f"examples.{lang}.{style}"
                if style not in STYLES[lang]:
                    self.problem(where, f"unknown style; use one of: {', '.join(STYLES[lang])}")
                    continue
                if not isinstance(texts, list):
                    self.problem(where, "must be a list of questions, one per line starting with '- '")
                    continue
                for text in texts:
                    if not isinstance(text, str) or not text.strip():
                        self.problem(where, f"has an empty or non-text entry: {text!r}")
                        continue
                    key = fold(text)
                    if key in seen:
                        self.problem(where, f"repeats the question {text!r} (also in {seen[key]})")
                        continue
                    seen[key] = where
                    result.append(Example(" ".join(text.split()), lang, style))
                    count += 1
            if count < minimum:
                self.problem(f"examples.{lang}", f"has {count} questions; at least {minimum} are needed")
        return tuple(result)


def _check_id(reader: _FileReader, data: Dict[str, Any]) -> str:
    intent_id = reader.text(data, "id", "id")
    if intent_id and reader.path.stem != intent_id:
        reader.problem("id", f"is {intent_id!r} but the file is named {reader.path.name}; "
                             f"rename the file to {intent_id}.yml")
    return intent_id


def _links_and_numbers(text: str) -> Tuple[set, set]:
    links = {m.rstrip(".").lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
             for m in URL_RE.findall(text)}
    without_links = URL_RE.sub(" ", text)
    numbers = {re.sub(r"[.,]", "", n) for n in NUMBER_RE.findall(without_links)}
    return links, numbers


def _check_texts(reader: _FileReader, key: str, texts: Dict[str, str], limit: int = MAX_ANSWER_CHARS,
                 advice: str = "move details to 'more'") -> None:
    """Length, and the same links and numbers in both languages."""
    for lang, text in texts.items():
        if len(text) > limit:
            reader.problem(f"{key}.{lang}", f"is {len(text)} characters; keep it under {limit} ({advice})")
    if all(texts.get(lang) for lang in LANGUAGES):
        sq_links, sq_numbers = _links_and_numbers(texts["sq"])
        en_links, en_numbers = _links_and_numbers(texts["en"])
        if sq_links != en_links:
            reader.problem(key, f"the Albanian and English texts name different links: "
                                f"sq {sorted(sq_links)} / en {sorted(en_links)}")
        if sq_numbers != en_numbers:
            reader.problem(key, f"the Albanian and English texts give different numbers: "
                                f"sq {sorted(sq_numbers)} / en {sorted(en_numbers)}")


def _sources(reader: _FileReader, data: Dict[str, Any]) -> Tuple[Source, ...]:
    sources = []
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        reader.problem("sources", "is missing: name at least one source with a title and a url")
        return ()
    for i, item in enumerate(raw_sources, 1):
        if not isinstance(item, dict):
            reader.problem(f"sources #{i}", "needs a 'title' and a 'url'")
            continue
        src_title = reader.text(item, "title", f"sources #{i} title")
        url = reader.text(item, "url", f"sources #{i} url")
        if url and not url.startswith("https://"):
            reader.problem(f"sources #{i} url", f"{url!r} must be a full web address starting with https://")
        sources.append(Source(src_title, url))
    return tuple(sources)


def _last_checked(reader: _FileReader, data: Dict[str, Any], today: dt.date) -> Optional[dt.date]:
    checked = data.get("last_checked")
    if isinstance(checked, str):
        try:
            checked = dt.date.fromisoformat(checked)
        except ValueError:
            pass
    if not isinstance(checked, dt.date):
        reader.problem("last_checked", "must be the date the facts were last checked, as YYYY-MM-DD")
        return None
    if checked > today:
        reader.problem("last_checked", f"{checked} is in the future")
    return checked


def _read_article(reader: _FileReader, today: dt.date) -> Optional[Article]:
    data = reader.load()
    if data is None:
        return None
    article_id = _check_id(reader, data)
    topic = reader.text(data, "topic", "topic")
    if article_id and topic and not article_id.startswith(topic + "."):
        reader.problem("topic", f"must be the part of the id before the dot ({article_id.split('.')[0]!r})")
    title = reader.per_language(data, "title")
    for lang, text in title.items():
        if len(text) > MAX_TITLE_CHARS:
            reader.problem(f"title.{lang}", f"is {len(text)} characters; keep it under {MAX_TITLE_CHARS} (it is a button label)")
    answer = reader.per_language(data, "answer")
    more = reader.per_language(data, "more", required=False)
    _check_texts(reader, "answer", answer)
    _check_texts(reader, "more", more)
    sources = _sources(reader, data)
    checked = _last_checked(reader, data, today)
    related = data.get("related") or []
    if not isinstance(related, list):
        reader.problem("related", "must be a list of article ids, e.g. [registration.documents]")
        related = []
    examples = reader.examples(data, MIN_EXAMPLES_PER_LANGUAGE)
    return Article(
        id=article_id, examples=examples, topic=topic, title=title, answer=answer, more=more,
        sources=sources, last_checked=checked, related=tuple(str(r) for r in related),
    )


def _read_pointer(reader: _FileReader, intent_id: str, data: Dict[str, Any], today: dt.date) -> Optional[Pointer]:
    """An out-of-scope group (out_of_scope.<group>) exists for its pointer, which needs sources."""
    if not intent_id.startswith(OUT_OF_SCOPE + "."):
        if "pointer" in data:
            reader.problem("pointer", f"only an out-of-scope group ({OUT_OF_SCOPE}.<group>) has a pointer")
        return None
    text = reader.per_language(data, "pointer")
    _check_texts(reader, "pointer", text, MAX_POINTER_CHARS, "name the office and its address, no more")
    return Pointer(text, _sources(reader, data), _last_checked(reader, data, today))


def _read_intent(reader: _FileReader, today: dt.date) -> Tuple[Optional[Intent], Optional[Pointer]]:
    data = reader.load()
    if data is None:
        return None, None
    intent_id = _check_id(reader, data)
    intent = Intent(id=intent_id, examples=reader.examples(data, MIN_CONVERSATION_EXAMPLES_PER_LANGUAGE))
    return intent, _read_pointer(reader, intent_id, data, today)


def _yaml_files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.glob("*.yml") if not p.name.startswith("_"))


def load_knowledge(
    knowledge_dir: Path = KNOWLEDGE_DIR,
    conversation_dir: Path = CONVERSATION_DIR,
    today: Optional[dt.date] = None,
) -> KnowledgeBase:
    today = today or dt.date.today()
    kb = KnowledgeBase()
    for path in _yaml_files(knowledge_dir):
        article = _read_article(_FileReader(path, knowledge_dir, kb.problems), today)
        if article and article.id:
            kb.articles[article.id] = article
    for path in _yaml_files(conversation_dir):
        intent, pointer = _read_intent(_FileReader(path, conversation_dir, kb.problems), today)
        if intent and intent.id:
            kb.conversation[intent.id] = intent
            if pointer:
                kb.pointers[intent.id] = pointer
    _check_across(kb, knowledge_dir)
    return kb


def _check_across(kb: KnowledgeBase, knowledge_dir: Path) -> None:
    """Checks that need every file: catalogue coverage, links between articles, clashes."""
    for article_id in catalogue_ids():
        if article_id not in kb.articles:
            kb.problems.append(Problem(f"knowledge/{article_id}.yml", "", "is missing: the catalogue needs this article"))
    for article in kb.articles.values():
        for other in article.related:
            if other not in kb.articles:
                kb.problems.append(Problem(f"knowledge/{article.id}.yml", "related",
                                           f"names {other!r}, which is not an article"))
    owner: Dict[str, str] = {}
    for intent in kb.intents:
        for example in intent.examples:
            key = fold(example.text)
            if key in owner and owner[key] != intent.id:
                kb.problems.append(Problem(
                    _file_of(kb, intent.id), "examples",
                    f"the question {example.text!r} is also an example of {owner[key]!r}; "
                    "a question must belong to one place only"))
            owner.setdefault(key, intent.id)


def _file_of(kb: KnowledgeBase, intent_id: str) -> str:
    folder = "knowledge" if intent_id in kb.articles else "conversation"
    return f"{folder}/{intent_id}.yml"
