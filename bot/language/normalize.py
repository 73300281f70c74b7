"""Text normalisation for intent classification.

Kosovo users write Albanian with or without ë/ç and often in colloquial Gheg
("qysh me regjistru nji OJQ"). Both training examples and incoming messages are
mapped to one folded form, so the classifier sees "si te regjistruar nje ojq"
whichever way the question was typed.
"""
from __future__ import annotations

import re
import unicodedata
from typing import List

# Gheg and chat forms -> standard Albanian, both sides already folded (no ë/ç).
GHEG_WORDS = {
    "qysh": "si", "qish": "si", "qyshe": "si",
    "nji": "nje", "ni": "nje", "njo": "nje",
    "asht": "eshte", "osht": "eshte", "ashte": "eshte", "o": "eshte",
    "jon": "jane", "jan": "jane", "kon": "kane", "kan": "kane", "jena": "jemi", "jem": "jemi",
    "qka": "cfare", "cka": "cfare", "qa": "cfare", "qfare": "cfare",
    "najsen": "dicka", "najsend": "dicka", "najqka": "dicka", "sen": "gje", "sene": "gje",
    "kqyr": "shiko", "kqyre": "shiko", "shif": "shiko",
    "mujm": "mund", "mujna": "mund", "mujme": "mund", "mun": "mund", "mujt": "mund", "mundem": "mund",
    "bon": "behet", "bohet": "behet", "bojm": "bejme", "bojme": "bejme", "ba": "bere",
    "prej": "nga", "pi": "nga", "pej": "nga",
    "tash": "tani",
    "ktu": "ketu", "qito": "keto", "qato": "ato", "qata": "ata", "qajo": "ajo", "qiky": "ky",
    "qikjo": "kjo", "qaty": "aty", "qitu": "ketu",
    "ma": "me", "veq": "vetem", "vec": "vetem",
    "dikon": "dike", "dikush": "dike",
    "shum": "shume", "mir": "mire", "flm": "faleminderit", "rrofsh": "faleminderit",
    "mas": "pas",
}
# Gheg infinitive: "me" + participle, where standard Albanian has "të" + verb
# ("me regjistru" / "me regjistrue" -> "te regjistruar", "me ba" -> "te bere").
GHEG_PARTICIPLES = {
    "ba": "bere", "bo": "bere", "marr": "marre", "fol": "folur", "dal": "dalur", "hy": "hyre",
    "pa": "pare", "dhan": "dhene", "dhen": "dhene", "dit": "ditur", "ardh": "ardhur", "gjet": "gjetur",
    "hap": "hapur", "pas": "pasur", "pru": "prure", "lan": "lene", "zgjat": "zgjatur", "shit": "shitur",
}
_GHEG_INFINITIVE = re.compile(r"^(\w{2,}?)(u|ue)$")
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, without diacritics (ë -> e, ç -> c), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def _drop_final_schwa(word: str) -> str:
    # Gheg drops the final ë ("shum", "organizat"); folded standard keeps it as e.
    return word[:-1] if len(word) >= 4 and word.endswith("e") else word


def normalize_albanian(text: str) -> str:
    words: List[str] = _WORD.findall(fold(text))
    out: List[str] = []
    for i, word in enumerate(words):
        if i > 0 and words[i - 1] == "me":
            participle = GHEG_PARTICIPLES.get(word)
            infinitive = _GHEG_INFINITIVE.match(word) if len(word) >= 4 else None
            if participle or infinitive:
                out[-1] = "te"
                word = participle or infinitive.group(1) + "uar"
        word = GHEG_WORDS.get(word, word)
        out.append(_drop_final_schwa(word))
    return " ".join(out)


def normalize(text: str, language: str) -> str:
    """The form the classifier sees: Gheg rules only for Albanian, folding for all."""
    return normalize_albanian(text) if language == "sq" else fold(text)
