"""The `helpdesk` command."""
from __future__ import annotations

import argparse
import io
import json
import logging
import sys
from typing import List, Optional

from pathlib import Path

from bot.knowledge.loader import CONVERSATION_DIR, KNOWLEDGE_DIR, load_knowledge
from bot.knowledge.training_data import stale_files, write_training_data

log = logging.getLogger(__name__)


def _load(args: argparse.Namespace):
    return load_knowledge(args.knowledge, args.conversation)


def _kb_check(args: argparse.Namespace) -> int:
    kb = _load(args)
    for problem in kb.problems:
        print(problem)
    stale = [] if kb.problems else stale_files(kb)
    for path in stale:
        print(f"{path.name}: out of date with knowledge/; run `helpdesk kb build` (or `make data`)")
    examples = sum(len(i.examples) for i in kb.intents)
    if kb.problems or stale:
        print(f"\n{len(kb.problems) + len(stale)} problem(s) found in {len(kb.articles)} articles.")
        return 1
    print(f"OK: {len(kb.articles)} articles and {len(kb.conversation)} other intents, {examples} example questions.")
    return 0


def _kb_build(args: argparse.Namespace) -> int:
    kb = _load(args)
    if kb.problems:
        for problem in kb.problems:
            print(problem)
        print("\nNothing generated: fix the problems above first.")
        return 1
    changed = write_training_data(kb)
    print(f"{len(changed)} training-data file(s) updated." if changed else "Training data already up to date.")
    return 0


def _kb_export(args: argparse.Namespace) -> int:
    kb = _load(args)
    articles = [
        {
            "id": a.id,
            "topic": a.topic,
            "languages": sorted(lang for lang, text in a.answer.items() if text),
            "examples": {lang: len(a.examples_in(lang)) for lang in ("sq", "en")},
            "sources": [{"title": s.title, "url": s.url} for s in a.sources],
            "last_checked": a.last_checked.isoformat() if a.last_checked else None,
        }
        for a in kb.articles.values()
    ]
    json.dump(articles, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 1 if kb.problems else 0


def _classify(args: argparse.Namespace) -> int:
    from bot.dialogue.classifier import Classifier

    classifier = Classifier.load(args.model)
    # Undecodable bytes become U+FFFD instead of ending the run.
    lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    for line_number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            text = json.loads(line)["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            print(json.dumps({"error": f"line {line_number}: expected a JSON object with a text field"}))
            continue
        print(json.dumps(classifier.classify(text).as_json(text, args.pointer), ensure_ascii=False), flush=True)
    return 0


def _staff_add(args: argparse.Namespace) -> int:
    import getpass

    from bot.settings import Settings
    from bot.store.database import create_engine_for, migrate, session_factory
    from bot.store.staff import AccountError, StaffAccounts

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if password != getpass.getpass("The same password again: "):
            print("error: the two passwords differ; nothing was created", file=sys.stderr)
            return 1
    settings = Settings.from_env()
    migrate(settings.database_url)
    engine = create_engine_for(settings.database_url)
    try:
        account = StaffAccounts(session_factory(engine)).add(args.username, password, args.role, args.name)
    except AccountError as error:
        print(f"error: {error}; nothing was created", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"Created {account.role} account {account.username!r}.")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="helpdesk", description="CSO help desk tools")
    commands = parser.add_subparsers(dest="command", required=True)
    folders = argparse.ArgumentParser(add_help=False)
    folders.add_argument("--knowledge", type=Path, default=KNOWLEDGE_DIR, help="articles folder (default: knowledge/)")
    folders.add_argument("--conversation", type=Path, default=CONVERSATION_DIR,
                         help="other intents' examples (default: conversation/)")
    kb = commands.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    kb.add_parser("check", parents=[folders], help="validate every article; report problems by file and field"
                  ).set_defaults(run=_kb_check)
    kb.add_parser("build", help="regenerate Rasa training data from knowledge/").set_defaults(
        run=_kb_build, knowledge=KNOWLEDGE_DIR, conversation=CONVERSATION_DIR)
    kb.add_parser("export", parents=[folders], help="print the articles as JSON").set_defaults(run=_kb_export)
    classify = commands.add_parser("classify", help="JSON lines {text} on stdin -> topic decisions on stdout")
    classify.add_argument("--model", default="models", help="model file or folder (default: models/)")
    classify.add_argument("--pointer", action="store_true",
                          help="also report `pointer`: the out-of-scope group whose pointer the bot adds (or null)")
    classify.set_defaults(run=_classify)
    staff = commands.add_parser("staff", help="staff console accounts").add_subparsers(dest="staff_command",
                                                                                        required=True)
    add = staff.add_parser("add", help="create a staff account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", default="agent", choices=["agent", "admin"])
    add.add_argument("--name", help="the name colleagues see (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin (for scripts)")
    add.set_defaults(run=_staff_add)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
