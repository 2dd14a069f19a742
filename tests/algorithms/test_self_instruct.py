"""Self-instruct's model-free steps: ROUGE-L by hand, list parsing, the plan of requests and
the selection of new prompts (near-duplicates of the pool and of each other left out)."""

from __future__ import annotations

import random

import pytest

from assay.algorithms.self_instruct import (
    VARIATIONS,
    parse_items,
    plan_requests,
    rouge_l,
    select_new,
)


def test_rouge_l_by_hand() -> None:
    # LCS of "a b c d e" and "a c e b": a c e (3) -> 2*3 / (5 + 4).
    assert rouge_l("a b c d e", "a c e b") == round(6 / 9, 6)
    assert rouge_l("Same words here", "same WORDS here!") == 1.0
    assert rouge_l("", "") == 1.0 and rouge_l("", "word") == 0.0
    # Order matters, unlike a bag of words: reversed, only one word can be common in order.
    assert rouge_l("one two three", "three two one") == round(2 / 6, 6)
    assert rouge_l("x y", "y x z") == rouge_l("y x z", "x y")


def test_parse_items_reads_lists_and_single_answers() -> None:
    reply = "Here you go:\n\n1. First prompt\n2. Second prompt\n   continues here\n\n3: Third"
    assert parse_items(reply) == ["First prompt", "Second prompt continues here", "Third"]
    assert parse_items("* a b c\n• d e f") == ["a b c", "d e f"]
    assert parse_items("") == []


def test_plan_requests_draws_from_the_pool_reproducibly() -> None:
    pool = [f"Prompt number {i}?" for i in range(10)]
    first = plan_requests(pool, 6, rng=random.Random(3), k=3, per_request=4,
                          variations=["constrain", "broaden"])
    again = plan_requests(pool, 6, rng=random.Random(3), k=3, per_request=4,
                          variations=["constrain", "broaden"])
    assert first == again
    assert [r.variation for r in first] == [None, "constrain", None, "broaden", None,
                                            "constrain"]
    new = first[0]
    assert len(new.sources) == 3 and len(set(new.sources)) == 3
    assert set(new.sources) <= set(pool)
    assert "Write 4 new prompts" in new.messages[0]["content"]
    assert all(f"{n}. {p}" in new.messages[0]["content"] for n, p in enumerate(new.sources, 1))
    vary = first[1]
    assert vary.sources[0] in vary.messages[0]["content"]
    assert VARIATIONS["constrain"] in vary.messages[0]["content"]
    assert pool == [f"Prompt number {i}?" for i in range(10)]  # not shuffled in place
    # k larger than the pool shows the whole pool.
    assert len(plan_requests(pool[:2], 1, rng=random.Random(0), k=5)[0].sources) == 2


def test_plan_requests_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ValueError, match="empty"):
        plan_requests([], 1, rng=random.Random(0))
    with pytest.raises(ValueError, match="unknown variation 'shorten'"):
        plan_requests(["a"], 1, rng=random.Random(0), variations=["shorten"])
    with pytest.raises(ValueError, match=r"\{examples\} and \{count\}"):
        plan_requests(["a"], 1, rng=random.Random(0), template="no fields")


def test_select_new_leaves_out_duplicates_of_the_pool_and_of_each_other() -> None:
    pool = ["Explain how vaccines train the immune system."]
    candidates = [
        "Explain how vaccines train the human immune system.",   # ROUGE-L 14/15 with the pool
        "Summarize the causes of the French Revolution.",
        "Summarize the main causes of the French Revolution.",  # 14/15 with the one kept above
        "Hi",                                                    # 1 word
        "Plot the sales figures for 2020.",                      # needs a chart
        "Write a limerick about a cat who learns to code in Rust.",
        " ".join(["word"] * 151),
    ]
    selection = select_new(candidates, pool)
    assert selection.kept == ("Summarize the causes of the French Revolution.",
                              "Write a limerick about a cat who learns to code in Rust.")
    assert [(reason, similar) for _, reason, similar in selection.left_out] == [
        ("duplicate", pool[0]), ("duplicate", candidates[1]), ("too_short", None),
        ("needs_media", None), ("too_long", None)]
    # A stricter threshold keeps less; a threshold of 1 leaves out only exact word matches.
    assert select_new(candidates[:3], pool, threshold=1.0).kept == tuple(candidates[:3])
    with pytest.raises(ValueError, match="threshold"):
        select_new(candidates, pool, threshold=0)


def test_select_new_agrees_with_rouge_l_on_random_texts() -> None:
    rng = random.Random(11)
    vocabulary = ["alpha", "beta", "gamma", "delta", "eps", "zeta"]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 8)))
             for _ in range(60)]
    kept = select_new(texts, [], threshold=0.6).kept
    # Kept prompts are pairwise below the threshold, and each left-out one is not.
    assert all(rouge_l(a, b) < 0.6 for i, a in enumerate(kept) for b in kept[i + 1:])
    for text in texts:
        if text not in kept:
            assert any(rouge_l(text, k) >= 0.6 for k in kept)
