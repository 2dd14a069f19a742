"""Self-instruct: new prompts grown from seed prompts by a model, near-duplicates left out.

The loop of Self-Instruct (Wang et al., 2023, "Self-Instruct: Aligning Language Models with
Self-Generated Instructions"), with the in-depth and in-breadth variation steps of
Evol-Instruct (Xu et al., 2023, "WizardLM"). This module holds the parts that need no model:

1. :func:`plan_requests` — what to ask the model: each request either shows ``k`` prompts
   drawn from the pool (seeds and the prompts kept so far) and asks for ``per_request`` new
   ones, or takes one pool prompt and asks for a variation of it (:data:`VARIATIONS`).
2. :func:`parse_items` — the prompts out of a reply written as a numbered or bulleted list.
3. :func:`select_new` — which of them to keep: not too short or long, not about something
   a text model cannot see (an image, a file…), and not a near-duplicate of the pool or of
   a prompt kept earlier in the same call. Near-duplicates are measured, as in the paper, by
   ROUGE-L — the F-measure of the longest common subsequence of words (:func:`rouge_l`) —
   at or above a threshold (0.7 there).

Nothing here mutates its inputs; the random source is passed in.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["VARIATIONS", "Request", "Selection", "parse_items", "plan_requests", "rouge_l",
           "select_new", "words"]

#: Variation steps (after Evol-Instruct): the instruction the model gets with one prompt.
VARIATIONS: dict[str, str] = {
    "constrain": "Rewrite the prompt so that it adds one more constraint or requirement.",
    "deepen": "Rewrite the prompt so that it asks about the topic in more depth.",
    "concretize": "Rewrite the prompt replacing general ideas with specific, concrete ones.",
    "reason": "Rewrite the prompt so that answering it takes several explicit steps of "
              "reasoning.",
    "broaden": "Write a new prompt on the same subject that asks for something different "
               "and is about as hard.",
}

NEW_TEMPLATE = ("Here are some prompts people give an AI assistant:\n\n{examples}\n\n"
                "Write {count} new prompts that differ from these in topic and form. "
                "Answer with a numbered list, one prompt per item, and nothing else.")
VARY_TEMPLATE = ("{instruction}\n\nPrompt: {prompt}\n\n"
                 "Answer with the rewritten prompt only.")

# Self-Instruct drops prompts a text-only model cannot act on.
_UNSEEABLE = re.compile(r"\b(image|images|picture|photo|graph|diagram|video|audio|file|"
                        r"attachment|link|map|chart|draw|plot)\b", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:\d+\s*[.):]|[-*•])\s+(.*\S)\s*$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Request:
    """One call to the model: ``messages`` for a chat completion; ``variation`` is the step's
    name, or None for a request of new prompts; ``sources`` are the pool prompts shown."""

    messages: tuple[dict[str, str], ...]
    variation: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """What :func:`select_new` kept, in order, and why each other prompt was left out:
    ``(prompt, reason, similar)``, ``similar`` the pool or kept prompt it duplicates."""

    kept: tuple[str, ...]
    left_out: tuple[tuple[str, str, str | None], ...]


def words(text: str) -> list[str]:
    """The lower-cased words of ``text`` (runs of letters, digits and ``_``).

    >>> words("Write a haiku, about C++!")
    ['write', 'a', 'haiku', 'about', 'c']
    """
    return _WORD.findall(text.lower())


def _lcs(first: Sequence[str], second: Sequence[str]) -> int:
    if len(first) < len(second):
        first, second = second, first
    previous = [0] * (len(second) + 1)
    for a in first:
        current = [0]
        for j, b in enumerate(second):
            current.append(previous[j] + 1 if a == b else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(first: str, second: str) -> float:
    """ROUGE-L F-measure (β = 1) of two texts' words: ``2 L / (m + n)`` with ``L`` the
    length of their longest common subsequence and ``m``, ``n`` their word counts (Lin,
    2004). 1.0 for two texts with no words.

    >>> rouge_l("Write a poem about the sea", "Write a short poem about the sea")
    0.923077
    >>> rouge_l("List three prime numbers", "Explain photosynthesis")
    0.0
    """
    a, b = words(first), words(second)
    if not a and not b:
        return 1.0
    return round(2 * _lcs(a, b) / (len(a) + len(b)), 6)


def _bound(a: Counter[str], na: int, b: Counter[str], nb: int) -> float:
    """An upper bound of ROUGE-L from the words two texts share, whatever their order."""
    return 2 * sum((a & b).values()) / (na + nb) if na + nb else 1.0


def plan_requests(pool: Sequence[str], n_requests: int, *, rng: random.Random, k: int = 4,
                  per_request: int = 5, variations: Sequence[str] = (),
                  template: str = NEW_TEMPLATE, start: int = 0) -> list[Request]:
    """``n_requests`` requests over ``pool``: with ``variations`` named, every other request
    applies one of them (in turn) to a pool prompt drawn at random; the others show ``k``
    prompts drawn without replacement and ask for ``per_request`` new ones. ``template``
    must hold ``{examples}`` and ``{count}``. ``start`` numbers the first request, for a
    caller that plans one request at a time as its pool grows.

    Raises ``ValueError`` for an empty pool, an unknown variation or a template without
    its fields.

    >>> [r.variation for r in plan_requests(["a?", "b?"], 4, rng=random.Random(0),
    ...                                     variations=["deepen"])]
    [None, 'deepen', None, 'deepen']
    """
    if not pool:
        raise ValueError("the pool of seed prompts is empty")
    unknown = [v for v in variations if v not in VARIATIONS]
    if unknown:
        raise ValueError(f"unknown variation {unknown[0]!r}; known: {', '.join(VARIATIONS)}")
    if "{examples}" not in template or "{count}" not in template:
        raise ValueError("the template must hold {examples} and {count}")
    out: list[Request] = []
    for i in range(start, start + n_requests):
        if variations and i % 2 == 1:
            name = variations[(i // 2) % len(variations)]
            prompt = rng.choice(list(pool))
            text = VARY_TEMPLATE.format(instruction=VARIATIONS[name], prompt=prompt)
            out.append(Request(({"role": "user", "content": text},), name, (prompt,)))
            continue
        shown = rng.sample(list(pool), min(k, len(pool)))
        examples = "\n".join(f"{n}. {p}" for n, p in enumerate(shown, 1))
        text = template.replace("{examples}", examples).replace("{count}", str(per_request))
        out.append(Request(({"role": "user", "content": text},), None, tuple(shown)))
    return out


def parse_items(reply: str) -> list[str]:
    """The items of a numbered or bulleted list in a model's reply, in order; a reply with
    no list marker is one item (a variation's answer). Continuation lines join their item.

    >>> parse_items("Sure!\\n1. Name a river.\\n2) Sum 2 and 3\\n   in words.\\n- Why?")
    ['Name a river.', 'Sum 2 and 3 in words.', 'Why?']
    >>> parse_items("  Explain tides to a child. ")
    ['Explain tides to a child.']
    """
    items: list[str] = []
    listed = False
    for line in reply.splitlines():
        match = _ITEM.match(line)
        if match:
            items.append(match.group(1))
            listed = True
        elif listed and line.strip():
            items[-1] = f"{items[-1]} {line.strip()}"
    if not listed:
        text = " ".join(reply.split())
        return [text] if text else []
    return items


def select_new(candidates: Sequence[str], pool: Sequence[str], *, threshold: float = 0.7,
               min_words: int = 3, max_words: int = 150) -> Selection:
    """Keep the candidates that are new enough (module docstring); reasons for the rest:
    ``too_short``, ``too_long``, ``needs_media``, ``duplicate`` (ROUGE-L ≥ ``threshold``
    with a pool prompt or one kept before it).

    >>> s = select_new(["Write a short poem about the sea", "Describe this image",
    ...                 "Name three rivers in Africa", "Name 3 rivers in Africa"],
    ...                ["Write a poem about the sea"])
    >>> s.kept
    ('Name three rivers in Africa',)
    >>> [reason for _, reason, _ in s.left_out]
    ['duplicate', 'needs_media', 'duplicate']
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must lie in (0, 1]")
    seen = [(text, words(text)) for text in pool]
    counts = [Counter(w) for _, w in seen]
    kept: list[str] = []
    left_out: list[tuple[str, str, str | None]] = []
    for text in candidates:
        mine = words(text)
        if len(mine) < min_words:
            left_out.append((text, "too_short", None))
            continue
        if len(mine) > max_words:
            left_out.append((text, "too_long", None))
            continue
        if _UNSEEABLE.search(text):
            left_out.append((text, "needs_media", None))
            continue
        bag = Counter(mine)
        similar = next((other for (other, theirs), their_bag in zip(seen, counts, strict=True)
                        if _bound(bag, len(mine), their_bag, len(theirs)) >= threshold
                        and 2 * _lcs(mine, theirs) / (len(mine) + len(theirs)) >= threshold),
                       None)
        if similar is not None:
            left_out.append((text, "duplicate", similar))
            continue
        kept.append(text)
        seen.append((text, mine))
        counts.append(bag)
    return Selection(tuple(kept), tuple(left_out))
