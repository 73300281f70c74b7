"""`make eval`: accuracy of this bot's NLU + decision against the stock Rasa pipeline.

Both are trained in this run on the same training split (data/nlu/, generated
from knowledge/ without the held-out examples) and scored on
  - the held-out split of our own examples (never trained on), and
  - eval/questions/: independent questions written apart from the training data,
    with an out-of-scope set that includes near misses.
Variants of our pipeline (one change each) show what every choice in config.yml
is worth. Results go to results/eval.json and a Markdown summary on stdout.
"""
from __future__ import annotations

import argparse
import copy
import functools
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import yaml

from bench.overlap import near_copies
from bot.dialogue.decision import FALLBACK_INTENT, LANGUAGE_INTENTS, LANGUAGE_SWITCH, OUT_OF_SCOPE, Thresholds
from bot.dialogue.classifier import Classifier
from bot.dialogue.turn import decide_for
from bot.knowledge.loader import PROJECT_ROOT, KnowledgeBase, load_knowledge
from bot.knowledge.model import is_out_of_scope
from bot.knowledge.training_data import held_out_examples, training_examples

log = logging.getLogger(__name__)
RESULTS = PROJECT_ROOT / "results"
STOCK_CONFIG = PROJECT_ROOT / "bench" / "stock_config.yml"
OUR_CONFIG = PROJECT_ROOT / "config.yml"
SQ_INFORMAL = {"no_diacritics", "gheg", "code_mixed"}


@dataclass(frozen=True)
class Item:
    text: str
    topic: str        # gold: article id, chitchat.*, handoff.request, language.switch or out_of_scope
    language: str
    style: str
    source: str       # "held_out" or "independent"
    near_miss: bool = False
    pointer: Optional[str] = None  # near misses: the out-of-scope group whose pointer the answer carries


def gold_topic(intent_id: str) -> str:
    """The topic an intent is reported as: out-of-scope groups are all out_of_scope."""
    if is_out_of_scope(intent_id):
        return OUT_OF_SCOPE
    return LANGUAGE_SWITCH if intent_id in LANGUAGE_INTENTS else intent_id


def held_out_items(kb: KnowledgeBase) -> List[Item]:
    """The held-out examples, without those that nearly repeat a training example (another
    style of the same sentence, say): those would measure memory."""
    items = [Item(e.text, gold_topic(i.id), e.language, e.style_label, "held_out")
             for i in kb.intents for e in held_out_examples(i)]
    trained = [e.text for i in kb.intents for e in training_examples(i)]
    copies = {question for question, _, _ in near_copies(trained, [item.text for item in items])}
    return [item for item in items if item.text not in copies]


def independent_items(folder: Path = PROJECT_ROOT / "eval" / "questions") -> List[Item]:
    items = []
    for path in sorted(folder.glob("*.yml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")):
            items.append(Item(row["text"], row["topic"], row["language"], row["style"], "independent",
                              bool(row.get("near_miss")), row.get("pointer")))
    return items


# --- pipelines -------------------------------------------------------------------------

def _component(config: Dict[str, Any], name_end: str, index: int = 0) -> Dict[str, Any]:
    matches = [c for c in config["pipeline"] if c["name"].endswith(name_end)]
    return matches[index]


def variants(base: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Our configuration and one-change alternatives to it."""
    def changed(edit: Callable[[Dict[str, Any]], None]) -> Dict[str, Any]:
        config = copy.deepcopy(base)
        edit(config)
        return config

    return {
        "ours": base,
        "no Gheg mapping (fold only)": changed(lambda c: _component(c, "AlbanianNormalizer").update(gheg=False)),
        "drop stop words": changed(lambda c: _component(c, "SpacyBlankTokenizer").update(drop_stop_words=True)),
        "words 1-gram only": changed(lambda c: _component(c, "CountVectorsFeaturizer", 0).update(max_ngram=1)),
        "chars 1-4 (stock range)": changed(lambda c: _component(c, "CountVectorsFeaturizer", 1).update(min_ngram=1, max_ngram=4)),
        "no char n-grams": changed(lambda c: c["pipeline"].remove(_component(c, "CountVectorsFeaturizer", 1))),
        "no English sentence encoder": changed(lambda c: c["pipeline"].remove(_component(c, "EnglishSentenceEncoder"))),
        "classifier C=10": changed(lambda c: _component(c, "LinearIntentClassifier").update(C=10.0)),
        "classifier C=1000": changed(lambda c: _component(c, "LinearIntentClassifier").update(C=1000.0)),
    }


def train_nlu(config: Dict[str, Any], workdir: Path, name: str, data: Path = PROJECT_ROOT / "data" / "nlu",
              domain: Optional[Path] = PROJECT_ROOT / "domain") -> Tuple[str, float]:
    """Trains an NLU-only model with `config`; returns its path and the seconds it took."""
    from rasa.model_training import train_nlu as rasa_train_nlu

    os.environ["RASA_MAX_CACHE_SIZE"] = "0"  # no stale cached components (see the Makefile)
    config_file = workdir / f"{name}.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    started = time.perf_counter()
    model = rasa_train_nlu(str(config_file), str(data), str(workdir), fixed_model_name=name,
                           domain=str(domain) if domain else None)
    return model, time.perf_counter() - started


def parse_all(model_path: str, texts: List[str]) -> List[Dict[str, Any]]:
    classifier = Classifier.load(model_path)
    return [classifier.parse(t) for t in texts]


def stock_topic(parse: Dict[str, Any]) -> str:
    """The stock bot's behaviour: its FallbackClassifier's nlu_fallback means 'not understood'."""
    name = (parse.get("intent") or {}).get("name")
    return OUT_OF_SCOPE if name in (None, FALLBACK_INTENT) else gold_topic(name)


def top1(parse: Dict[str, Any]) -> Optional[str]:
    ranking = [r["name"] for r in parse.get("intent_ranking") or [] if r["name"] != FALLBACK_INTENT]
    return gold_topic(ranking[0]) if ranking else None


# --- metrics ---------------------------------------------------------------------------

def _share(hits: int, total: int) -> Optional[float]:
    return round(100.0 * hits / total, 1) if total else None


def score(items: List[Item], predicted_top1: List[Optional[str]], decided: List[str],
          candidates: List[Tuple[str, ...]]) -> Dict[str, Any]:
    in_scope = [i for i, item in enumerate(items) if item.topic != OUT_OF_SCOPE]
    oos = [i for i, item in enumerate(items) if item.topic == OUT_OF_SCOPE]
    near = [i for i in oos if items[i].near_miss]

    def acc(indices: Iterable[int]) -> Optional[float]:
        indices = list(indices)
        return _share(sum(predicted_top1[i] == items[i].topic for i in indices), len(indices))

    by_style: Dict[str, List[int]] = defaultdict(list)
    by_language: Dict[str, List[int]] = defaultdict(list)
    for i in in_scope:
        by_style[items[i].style].append(i)
        by_language[items[i].language].append(i)
    sq_informal = [i for i in in_scope if items[i].language == "sq" and items[i].style in SQ_INFORMAL]
    clarified = [i for i in in_scope if decided[i] == "clarify"]
    return {
        "items": len(items), "in_scope": len(in_scope), "out_of_scope": len(oos),
        "top1": acc(in_scope),
        "top1_by_language": {k: acc(v) for k, v in sorted(by_language.items())},
        "top1_by_style": {k: acc(v) for k, v in sorted(by_style.items())},
        "top1_sq_informal": acc(sq_informal),
        "answered_correctly": _share(sum(decided[i] == items[i].topic for i in in_scope), len(in_scope)),
        "clarified": _share(len(clarified), len(in_scope)),
        "clarified_with_right_option": _share(sum(items[i].topic in candidates[i] for i in clarified), len(clarified)),
        "in_scope_refused": _share(sum(decided[i] == OUT_OF_SCOPE for i in in_scope), len(in_scope)),
        "oos_recall": _share(sum(decided[i] == OUT_OF_SCOPE for i in oos), len(oos)),
        "near_miss_recall": _share(sum(decided[i] == OUT_OF_SCOPE for i in near), len(near)),
        "confusions": Counter((items[i].topic, predicted_top1[i]) for i in in_scope
                              if predicted_top1[i] != items[i].topic).most_common(8),
        "errors": [{"text": items[i].text, "gold": items[i].topic, "top1": predicted_top1[i], "decided": decided[i]}
                   for i in range(len(items)) if decided[i] != items[i].topic],
    }


def evaluate_ours(items: List[Item], parses: List[Dict[str, Any]], kb: KnowledgeBase,
                  thresholds: Thresholds = Thresholds()) -> Dict[str, Any]:
    decisions = [decide_for(p, kb, thresholds=thresholds) for p in parses]
    result = score(items, [top1(p) for p in parses], [d.topic for d in decisions],
                   [d.candidates for d in decisions])
    result["language_accuracy"] = _share(sum(p.get("language") == item.language for p, item in zip(parses, items)),
                                         len(items))
    return result


def evaluate_stock(items: List[Item], parses: List[Dict[str, Any]]) -> Dict[str, Any]:
    return score(items, [top1(p) for p in parses], [stock_topic(p) for p in parses], [() for _ in parses])


def sweep(items: List[Item], parses: List[Dict[str, Any]], kb: KnowledgeBase) -> List[Dict[str, Any]]:
    """Decision thresholds tried on the held-out split (the independent set is not used)."""
    rows = []
    for answer in (0.3, 0.4, 0.5, 0.6):
        for candidate in (0.1, 0.15, 0.2):
            for margin in (0.0, 0.1, 0.2, 0.3):
                t = replace(Thresholds(), answer=answer, candidate=candidate, margin=margin)
                r = evaluate_ours(items, parses, kb, t)
                rows.append({"answer": answer, "candidate": candidate, "margin": margin,
                             "answered_correctly": r["answered_correctly"], "clarified": r["clarified"],
                             "in_scope_refused": r["in_scope_refused"], "oos_recall": r["oos_recall"]})
    return rows


# --- report ----------------------------------------------------------------------------

def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value}"


def _nested(key: str, sub: str, result: Dict[str, Any]) -> str:
    return _fmt(result[key].get(sub))


def markdown(results: Dict[str, Dict[str, Dict[str, Any]]]) -> str:
    lines = []
    for split in ("all", "held_out", "independent"):
        lines.append(f"\n### {'both sets together' if split == 'all' else split.replace('_', '-') + ' set'}\n")
        names = list(results)
        lines.append("| metric | " + " | ".join(names) + " |")
        lines.append("|---|" + "---|" * len(names))
        first = results[names[0]][split]
        rows = [("items (in scope / out of scope)", lambda r: f"{r['in_scope']} / {r['out_of_scope']}"),
                ("top-1 accuracy, in scope", lambda r: _fmt(r["top1"])),
                *[(f"top-1, {lang}", functools.partial(_nested, "top1_by_language", lang))
                  for lang in first["top1_by_language"]],
                *[(f"top-1, style {style}", functools.partial(_nested, "top1_by_style", style))
                  for style in first["top1_by_style"]],
                ("top-1, Albanian informal (no diacritics, Gheg, mixed)", lambda r: _fmt(r["top1_sq_informal"])),
                ("answered with the right article/intent", lambda r: _fmt(r["answered_correctly"])),
                ("clarified (did you mean ...)", lambda r: _fmt(r["clarified"])),
                ("... with the right option offered", lambda r: _fmt(r["clarified_with_right_option"])),
                ("in-scope questions refused", lambda r: _fmt(r["in_scope_refused"])),
                ("out-of-scope recall", lambda r: _fmt(r["oos_recall"])),
                ("near-miss recall", lambda r: _fmt(r["near_miss_recall"])),
                ("language detected correctly", lambda r: _fmt(r.get("language_accuracy")))]
        for label, get in rows:
            lines.append(f"| {label} | " + " | ".join(get(results[n][split]) for n in names) + " |")
    ours = results["ours"]["independent"]["confusions"]
    lines.append("\nMost confused pairs (ours, independent set; gold -> predicted, count): "
                 + "; ".join(f"{g} -> {p} ({n})" for (g, p), n in ours))
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-stock", action="store_true", help="skip the stock pipeline (slow: DIET 100 epochs)")
    parser.add_argument("--no-variants", action="store_true", help="only our configuration (and stock)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    kb = load_knowledge()
    if kb.problems:
        sys.exit("The knowledge base has problems; run `helpdesk kb check`.")
    splits = {"held_out": held_out_items(kb), "independent": independent_items()}
    texts = [item.text for items in splits.values() for item in items]
    base = yaml.safe_load(OUR_CONFIG.read_text(encoding="utf-8"))
    configs = {"ours": base} if args.no_variants else variants(base)
    if not args.no_stock:
        configs["stock Rasa"] = yaml.safe_load(STOCK_CONFIG.read_text(encoding="utf-8"))
    results: Dict[str, Dict[str, Dict[str, Any]]] = {}
    sweep_rows: List[Dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, config in configs.items():
            print(f"[eval] training {name} ...", file=sys.stderr, flush=True)
            model, seconds = train_nlu(config, Path(tmp), name.replace(" ", "_").replace("/", "_"))
            print(f"[eval] {name}: trained in {seconds:.0f} s; parsing {len(texts)} messages", file=sys.stderr, flush=True)
            parses = parse_all(model, texts)
            results[name] = {}
            offset = 0
            everything = [item for part in splits.values() for item in part]
            for split, items in [*splits.items(), ("all", everything)]:
                part = parses[offset: offset + len(items)] if split != "all" else parses
                offset += len(items)
                result = evaluate_stock(items, part) if name == "stock Rasa" else evaluate_ours(items, part, kb)
                results[name][split] = result
                if name == "ours" and split == "held_out":
                    sweep_rows = sweep(items, part, kb)
            print(f"[eval] {name}: top-1 held-out {results[name]['held_out']['top1']}, "
                  f"independent {results[name]['independent']['top1']}", file=sys.stderr, flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.json").write_text(json.dumps({"results": results, "threshold_sweep": sweep_rows},
                                                  ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
