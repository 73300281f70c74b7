"""Text normalisation for intent classification.

Kosovo users write Albanian with or without ë/ç and often in colloquial Gheg
("qysh me regjistru nji OJQ"). Both training examples and incoming messages are
mapped to one folded form, so the classifier sees "si te regjistruar nje ojq"
whichever way the question was typed.
"""
from __future__ import annotations

import re
import unicodedata
from typing import List, Optional

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
    # pronouns, auxiliaries and everyday words of Kosovo chat (found in our Gheg examples)
    "jom": "jam", "kom": "kam", "kena": "kemi", "kini": "keni", "du": "dua", "don": "do",
    "dojm": "duam", "dojme": "duam", "dojn": "duan", "muj": "mund", "munet": "mundet", "hala": "ende",
    "qit": "kete", "qita": "keto", "kto": "keto", "kta": "keta", "ktij": "ketij", "kshtu": "keshtu",
    "naj": "ndonje", "ndonji": "ndonje", "najfar": "ndonje", "najkush": "dike", "diqka": "dicka",
    "shpi": "shtepi", "pyt": "pyet", "pytje": "pyetje", "pytj": "pyetje", "antar": "anetar",
    "antaret": "anetaret", "antart": "anetaret", "emen": "emer", "emni": "emri", "emnin": "emrin",
    "emnit": "emrit", "mrena": "brenda", "kah": "nga", "kallxo": "trego", "kallxoni": "tregoni",
    "vyn": "vlen", "dhanat": "dhenat", "dhanave": "dhenave", "qoj": "coj", "qojm": "cojme", "qojme": "cojme",
    "qojn": "cojne", "bojn": "bejne", "bo": "bej", "lon": "le", "mshel": "mbyll", "mshelim": "mbyllim",
    "shnet": "shendet", "shoqni": "shoqeri", "shoqnia": "shoqeria", "shoqnin": "shoqerine",
    "shoqnise": "shoqerise", "shoqnis": "shoqerise", "nalt": "lart", "rrog": "rroge", "qu": "cuar", "dhon": "dhene",
    "bjen": "bie", "kshilla": "keshilla", "fmi": "femije", "tyn": "tyre", "dokumenta": "dokumente",
    # Gheg forms that drop the "a" of -uaj ("pagujm" -> "paguajmë", "huj" -> "huaj"); listed, not
    # a rule: standard words end in -uj too ("kapituj")
    "paguj": "paguaj", "pagujm": "paguajme", "pagujn": "paguajne", "shkruj": "shkruaj",
    "shkrujm": "shkruajme", "shkrujn": "shkruajne", "thuj": "thuaj", "huj": "huaj", "juj": "juaj",
    # participles _GHEG_PARTICIPLE cannot see (-gu is a noun ending; short stems)
    "pagu": "paguar", "pague": "paguar", "pagun": "paguar", "kthy": "kthyer", "msu": "mesuar",
    # participles whose Gheg stem drops a vowel ("dorzu" -> "dorzuar"; standard "dorëzuar")
    "dorzuar": "dorezuar", "ndrruar": "nderruar", "plotsuar": "plotesuar",
    # ç typed as q, as many in Kosovo do (see also Q_FOR_C_STEMS)
    "qdo": "cdo", "qfar": "cfare", "perveq": "pervec", "veqmas": "vecmas",
}
# Gheg infinitive: "me" + participle, where standard Albanian has "të" + verb
# ("me regjistru" / "me regjistrue" -> "te regjistruar", "me ba" -> "te bere").
GHEG_PARTICIPLES = {
    "ba": "bere", "bo": "bere", "marr": "marre", "fol": "folur", "dal": "dalur", "hy": "hyre",
    "pa": "pare", "dhan": "dhene", "dhen": "dhene", "dit": "ditur", "ardh": "ardhur", "gjet": "gjetur",
    "hap": "hapur", "pas": "pasur", "pru": "prure", "lan": "lene", "zgjat": "zgjatur", "shit": "shitur",
    "qu": "cuar", "ble": "blere", "fut": "futur", "kry": "kryer", "nda": "ndare", "hjek": "hequr", "hiq": "hequr",
    "thon": "thene", "pyt": "pyetur", "kthy": "kthyer", "zbrit": "zbritur", "mshel": "mbyllur", "lon": "lene",
}
_GHEG_INFINITIVE = re.compile(r"^(\w{2,}?)(u|ue)$")
# Gheg participles outside the infinitive too ("e kena regjistru", "a osht regjistrum"):
# -u/-ue/-um(e)/-un where standard Albanian has -uar. Not after k/g/h, where -u is the
# definite ending of a noun ("shoku", "tregu"), nor after a vowel.
_GHEG_PARTICIPLE = re.compile(r"^(\w{2,}[^aeiouykgh])(u|ue|um|ume|un)$")
# Albanian and Latin-rooted words ending like one, and English words of code-mixed questions
# ("registration issue", "venue per eventin"; found in our English examples).
NOT_PARTICIPLES = frozenset({"ketu", "atu", "keshtu", "ashtu", "pergjigju", "kuorum", "forum", "minimum",
                             "maksimum", "album", "premium", "podium", "optimum", "muzeum", "serum", "menu",
                             "komun", "memorandum", "addendum",
                             "issue", "value", "venue", "continue", "unique", "mosque", "quorum", "maximum", "thru"})
# stems typed with q for ç, whatever their ending ("qregjistrimi" -> "cregjistrimi")
Q_FOR_C_STEMS = ("qregjistr", "qeshtj", "qmim")
CLITICS = frozenset({"u", "e", "i", "ja", "ia", "ua", "na", "ju", "ta", "ti"})
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, without diacritics (ë -> e, ç -> c), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def _drop_final_schwa(word: str) -> str:
    # Gheg drops the final ë ("shum", "organizat"); folded standard keeps it as e.
    return word[:-1] if len(word) >= 4 and word.endswith("e") else word


def _gheg_infinitive(word: str) -> Optional[str]:
    """The standard participle of a Gheg infinitive's verb ("regjistru" -> "regjistruar"), if it is one."""
    infinitive = _GHEG_INFINITIVE.match(word) if len(word) >= 4 else None
    return GHEG_PARTICIPLES.get(word) or (infinitive.group(1) + "uar" if infinitive else None)


def normalize_albanian(text: str) -> str:
    words: List[str] = _WORD.findall(fold(text))
    out: List[str] = []
    for i, word in enumerate(words):
        # "me regjistru", "me u regjistru", "me e pagu": standard "të (u/e) regjistruar"
        me_at = i - 1 if i > 0 and words[i - 1] == "me" else \
            i - 2 if i > 1 and words[i - 2] == "me" and words[i - 1] in CLITICS else None
        standard = _gheg_infinitive(word) if me_at is not None else None
        if standard:
            out[me_at] = "te"
            word = standard
        elif word not in GHEG_WORDS and word not in NOT_PARTICIPLES and (participle := _GHEG_PARTICIPLE.match(word)):
            word = participle.group(1) + "uar"
        word = GHEG_WORDS.get(word, word)
        if word.startswith(Q_FOR_C_STEMS):
            word = "c" + word[1:]
        out.append(_drop_final_schwa(word))
    return " ".join(out)


def normalize(text: str, language: str) -> str:
    """The form the classifier sees: Gheg rules only for Albanian, folding for all."""
    return normalize_albanian(text) if language == "sq" else fold(text)
