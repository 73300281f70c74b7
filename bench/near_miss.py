"""Near misses of eval/questions through `helpdesk classify --pointer`: refused, and pointed the right way?

A near miss (registering a business, a party, personal taxes, visas, ...) must get the
out-of-scope answer, with the pointer of its group where eval/questions names one. Needs a
trained model only (about 30 s), unlike `make eval`:

    python -m bench.near_miss [--model models/helpdesk.tar.gz]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.eval_nlu import Item, independent_items
from bot.dialogue.decision import OUT_OF_SCOPE
from bot.settings import Settings

HELPDESK = Path(sys.executable).parent / "helpdesk"


def classify(texts: List[str], model: str) -> List[Dict[str, Any]]:
    lines = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    done = subprocess.run([str(HELPDESK), "classify", "--pointer", "--model", model], input=lines,
                          capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def summary(items: List[Item], results: List[Dict[str, Any]]) -> Dict[str, Any]:
    refused = [r["topic"] == OUT_OF_SCOPE for r in results]
    grouped = [i for i, item in enumerate(items) if item.pointer]
    plain = [i for i, item in enumerate(items) if not item.pointer]
    return {
        "near_misses": len(items),
        "refused": sum(refused),
        "with_a_group": len(grouped),
        "refused_with_the_right_pointer": sum(refused[i] and results[i].get("pointer") == items[i].pointer
                                              for i in grouped),
        "without_a_group": len(plain),
        "given_a_pointer_anyway": sum(bool(results[i].get("pointer")) for i in plain),
        "misses": [{"text": items[i].text, "gold_pointer": items[i].pointer, "topic": r["topic"],
                    "pointer": r.get("pointer")}
                   for i, r in enumerate(results)
                   if not refused[i] or r.get("pointer") != items[i].pointer],
    }


def markdown(result: Dict[str, Any]) -> str:
    def share(hits: int, total: int) -> str:
        return f"{hits}/{total} ({100.0 * hits / total:.1f}%)" if total else "-"

    lines = [f"near-miss recall (refused): {share(result['refused'], result['near_misses'])}",
             f"refused with the right pointer: {share(result['refused_with_the_right_pointer'], result['with_a_group'])}",
             f"given a pointer although none fits: {share(result['given_a_pointer_anyway'], result['without_a_group'])}",
             "", "| text | gold pointer | topic | pointer |", "|---|---|---|---|"]
    lines += [f"| {m['text']} | {m['gold_pointer'] or '-'} | {m['topic']} | {m['pointer'] or '-'} |"
              for m in result["misses"]]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(Settings().model), help="model file (default: the bot's)")
    args = parser.parse_args(argv)
    items = [item for item in independent_items() if item.near_miss]
    result = summary(items, classify([item.text for item in items], args.model))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
