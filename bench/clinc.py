"""`make bench-clinc`: the project's NLU pipeline on CLINC150 (Larson et al., 2019).

Trained on train + oos_train (out-of-scope as a 151st intent), scored on test:
in-scope accuracy and out-of-scope recall, printed beside the published numbers.
"oos-train" counts only the 151st intent as out of scope; "oos-threshold" also
treats a top confidence below a threshold as out of scope, the threshold chosen on
the validation split; "bot threshold" uses the bot's own answer threshold, chosen on
our held-out split, never on CLINC. The data set is English only, so the language
detector is left out and the tokenizer and sentence encoder are told the language.
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bench.eval_nlu import OUR_CONFIG, parse_all, train_nlu
from bot.dialogue.decision import Thresholds
from bot.knowledge.loader import PROJECT_ROOT

DATA = PROJECT_ROOT.parent / "shared" / "datasets" / "clinc150" / "data_full.json"
OOS = "oos"
PUBLISHED = """Published (Larson et al. 2019, Table 2; in-scope accuracy / out-of-scope recall):
  oos-train:     FastText 89.0/9.7  SVM 91.0/14.5  CNN 91.2/18.9  DialogFlow 91.7/14.0
                 Rasa 91.5/45.3  MLP 93.5/47.4  BERT 96.9/40.3
  oos-threshold: SVM 88.2/18.0  FastText 88.6/28.3  DialogFlow 90.8/26.7  Rasa 90.9/31.2
                 CNN 90.9/30.9  MLP 93.4/49.1  BERT 96.2/52.3"""


def clinc_config() -> Dict[str, Any]:
    config = copy.deepcopy(yaml.safe_load(OUR_CONFIG.read_text(encoding="utf-8")))
    config["language"] = "en"
    config["pipeline"] = [c for c in config["pipeline"] if not c["name"].endswith("LanguageDetector")]
    for component in config["pipeline"]:
        if component["name"].endswith(("SpacyBlankTokenizer", "EnglishSentenceEncoder")):
            component["default_language"] = "en"
    return config


def write_nlu(examples: List[Tuple[str, str]], path: Path) -> None:
    by_intent: Dict[str, List[str]] = {}
    for text, intent in examples:
        by_intent.setdefault(intent, []).append(" ".join(text.split()))
    blocks = [{"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)} for intent, texts in by_intent.items()]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, width=1000),
                    encoding="utf-8")


def scores(parses: List[Dict[str, Any]], gold: List[str], threshold: float) -> Tuple[float, float]:
    def predicted(parse: Dict[str, Any]) -> str:
        intent = parse.get("intent") or {}
        return OOS if intent.get("confidence", 0.0) < threshold else intent.get("name")

    preds = [predicted(p) for p in parses]
    in_scope = [(p, g) for p, g in zip(preds, gold) if g != OOS]
    oos = [p for p, g in zip(preds, gold) if g == OOS]
    return (100.0 * sum(p == g for p, g in in_scope) / len(in_scope), 100.0 * sum(p == OOS for p in oos) / len(oos))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--C", type=float, help="override the classifier's C from config.yml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    if not DATA.exists():
        sys.exit(f"CLINC150 not found at {DATA}")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        write_nlu([tuple(x) for x in data["train"] + data["oos_train"]], work / "data" / "nlu.yml")
        config = clinc_config()
        if args.C:
            next(c for c in config["pipeline"] if c["name"].endswith("LinearIntentClassifier"))["C"] = args.C
        print("[clinc] training on 15,100 examples ...", file=sys.stderr, flush=True)
        model, seconds = train_nlu(config, work, "clinc", data=work / "data", domain=None)
        val = data["val"] + data["oos_val"]
        test = data["test"] + data["oos_test"]
        print(f"[clinc] trained in {seconds:.0f} s; parsing {len(val) + len(test)} messages ...", file=sys.stderr)
        parses = parse_all(model, [t for t, _ in val + test])
    val_parses, test_parses = parses[: len(val)], parses[len(val):]
    val_gold, test_gold = [g for _, g in val], [g for _, g in test]
    # The threshold that maximises in-scope accuracy + out-of-scope recall on validation.
    best = max((t / 100 for t in range(0, 80, 2)), key=lambda t: sum(scores(val_parses, val_gold, t)))
    plain = scores(test_parses, test_gold, 0.0)
    thresholded = scores(test_parses, test_gold, best)
    answer_threshold = Thresholds().answer
    own = scores(test_parses, test_gold, answer_threshold)
    result = {"training_s": round(seconds, 1), "oos_train": {"in_scope": round(plain[0], 1), "oos_recall": round(plain[1], 1)},
              "oos_threshold": {"threshold": best, "in_scope": round(thresholded[0], 1),
                                "oos_recall": round(thresholded[1], 1)},
              "bot_threshold": {"threshold": answer_threshold, "in_scope": round(own[0], 1),
                                "oos_recall": round(own[1], 1)}}
    (PROJECT_ROOT / "results").mkdir(exist_ok=True)
    (PROJECT_ROOT / "results" / "clinc.json").write_text(json.dumps(result, indent=1))
    print(f"This pipeline, CLINC150 data_full test (4,500 in-scope, 1,000 out-of-scope), trained in {seconds:.0f} s:")
    print(f"  oos-train:     in-scope accuracy {plain[0]:.1f}  out-of-scope recall {plain[1]:.1f}")
    print(f"  oos-threshold: in-scope accuracy {thresholded[0]:.1f}  out-of-scope recall {thresholded[1]:.1f}"
          f"  (threshold {best:.2f}, chosen on val)")
    print(f"  bot threshold: in-scope accuracy {own[0]:.1f}  out-of-scope recall {own[1]:.1f}"
          f"  (threshold {answer_threshold:.2f}, the bot's own)")
    print("  trade-off on test, by threshold: " + "  ".join(
        "{:.1f}: {:.1f}/{:.1f}".format(t, *scores(test_parses, test_gold, t)) for t in (0.1, 0.2, 0.3, 0.4, 0.5)))
    print(PUBLISHED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
