"""Fuzzed inputs through ``respin.fix()``: README's promises on text nobody wrote by hand.

Derandomised, so every run tries the same inputs and a failure reproduces.
The inputs (``fuzzgen.py``) are random Unicode and team-written articles
mutated with mixed line endings, combining marks, RTL, emoji, no-break
spaces and spun phrases; ``benchmarks/fuzz.py`` runs the same generator on
100,000 inputs.
"""

from __future__ import annotations

import pytest
from fuzzgen import CONFIGS, fuzz_input, run_contracts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import respin

FUZZ = settings(derandomize=True, max_examples=250, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(CONFIGS)))
def test_no_crash_bytes_kept_outside_fixes_and_json_replays(rng, config_name):
    text = fuzz_input(rng)
    outcome = run_contracts(text, CONFIGS[config_name], idempotence=False)
    assert outcome.crash is None, (text, outcome.crash)
    assert outcome.bytes_changed is None, (text, outcome.bytes_changed)
    assert outcome.replay is None, (text, outcome.replay)


@FUZZ
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(CONFIGS)))
def test_fixing_twice_changes_nothing_more(rng, config_name):
    text = fuzz_input(rng)
    outcome = run_contracts(text, CONFIGS[config_name])
    assert outcome.idempotence is None, (text, outcome.idempotence)


def test_the_generator_makes_the_text_it_promises():
    """The fuzz is worth something only if its inputs really have these features and get fixed."""
    import random

    rng = random.Random(0)
    inputs = [fuzz_input(rng) for _ in range(400)]
    joined = "".join(inputs)
    for feature in ["\r\n", "\r", "\u0301", "\u00a0", "😀", "\u202e"]:
        assert feature in joined, f"no {feature!r} in 400 fuzz inputs"
    assert any("\n" in text and "\r\n" in text for text in inputs), "no input mixes line endings"
    assert any(any("\u0590" <= ch <= "\u06ff" for ch in text) for text in inputs), "no RTL letters"
    fixed = sum(bool(respin.fix(text, config=CONFIGS["mini"]).fixes) for text in inputs[:100])
    assert fixed >= 30, f"only {fixed} of 100 fuzz inputs get a fix: the contracts are barely exercised"


# Idempotence failures the fuzz found (benchmarks/fuzz.py), each reduced to a
# sentence and fixed (issue 14 item 8).
ASSUME_SPUN = respin.Config(spin_prior=0.0)


def test_a_restoration_does_not_form_another_spun_phrase():
    # "simply" → "just" would write "just like", itself spun (→ "like"): a keep row leaves "simply like".
    for text in ["They walked simply like the others.", "It happened simply lately."]:
        once = respin.fix(text, config=ASSUME_SPUN).text
        assert once == text
        assert respin.fix(once, config=ASSUME_SPUN).text == once


def test_a_capitalised_restoration_after_a_soft_wrap_is_stable():
    # "Doctors Without Borders" would start the wrapped line with a capital, which the second run reads as a
    # sentence start ("seek the advice of" then ends a sentence and becomes "consult"): the name is not
    # proposed there; its words are restored one by one, in lower case.
    once = respin.fix("Staff seek the advice of\ndocs with out borders on site.\n").text
    assert once == "Staff seek the advice of\ndoctors without borders on site.\n"
    assert respin.fix(once).text == once


def test_a_word_left_beside_a_fix_is_not_restored_by_a_second_run():
    # "4" starts a sentence (the line break before it is not a soft wrap); "four" would make the break a wrap,
    # and a second run, reading "practically four hours", would restore "nearly". "Four" keeps the sentence.
    once = respin.fix("Russia ended\u0301 practically\n4 hours of talks.", config=ASSUME_SPUN).text
    assert once == "Russia ended\u0301 practically\nFour hours of talks."
    assert respin.fix(once, config=ASSUME_SPUN).text == once


# benchmarks/fuzz.py --seed 1: "in a position to" (→ "able to") held the text's one plain "position", which
# counted against restoring "place" → "position" (score 0.92, kept); the first run rewrote it, so the second
# run, without that counter-evidence, restored "place" (1.10). Words inside a candidate now never count.
SEED_1_INPUT = (
    "\u201cT\u0301his can\u2028  be a principled place, and\n\n  we is\n  not going to transf"
    "er from it,\u201d he mentioned. However he known as the assembly \u201csomewhat "
    "trustworthy, direct, deep and complete,\u201d including: \u201cHowever on the id"
    "entical time, it confirmed a large\r\n  amount of divergence\u2028 on\relement"
    "ary\r\u0085questions.\u201d an assembly \r\n\u201cThis was a\u20dd heart-to-heart dialogue,\u201d "
    "Mr. Grushko mentioned. \u201cI\u0323 b\u0327elieve we had been in\n  a position to tal"
    "k to the members of the\r\nalliance t\u20ddha\u0327t the\u0301\u0323 scena\u0301ri\u0303o is turning i"
    "nto\ninsufferable.\u201d It was an opportunity to remin\u20ddd NATO that Russia, "
    "too, cou\u0327ld have a say\u0300 in the way forw\u0303ard for European safe\u20ddty, whic"
    "h might \u201ccarry dange\u034frs,\u201d Mr. Grush\u0323ko mention\u0327ed. \u201cWe assist peaceabl"
    "e optio\u0327ns\r\nbased\u0301\u0323\nmo\u20ddstly o\u0323n steadiness\u0300,\u201d\u2028  he\nm\u034fentioned\u0303.\rM\u0301r. G"
    "rushko\u2019s feedback indicated that R\u0323ussia, for now, was not closing the"
    " door to add\u0301\u0323it\u0301\u0323iona\u0323l diplomacy\u034f,\u2028  tho\u20ddugh it has not dedic\u0303ated t"
    "o ta\u0323lks past This we\u0301ek. Russian\noffice\u0323rs mentioned earlier th\u034fis we"
    "ek that t\u0300hey\u2019d wait till the tip of a full week of talks \u2014 whic\u034fh\r\u2028st"
    "ar\u0323ted with an off-the-cuff dinner in Geneva on\r\u000bSunday and can wrap\u2029 "
    " up on Thursday\u0301\u0323 in Vienna \u2014 earlier than making a call\u0308 on find out "
    "how to\n\nproceed.\n"
)


def test_counter_evidence_does_not_count_words_the_run_may_rewrite():
    once = respin.fix(SEED_1_INPUT, config=ASSUME_SPUN).text
    assert "principled position" in once and "able to" in once
    assert respin.fix(once, config=ASSUME_SPUN).text == once
