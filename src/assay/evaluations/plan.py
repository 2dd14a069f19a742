"""Which replies meet in a battle, and how a prompt is shown: pure rules, no database.

Every prompt gets exactly ``battles_per_prompt`` battles over distinct pairs of models while
there are pairs enough, cycling through the pairs when battles outnumber them. The pairs are
dealt from one shuffled list of every pair, each prompt starting where the last one stopped,
so every pair meets about as often as every other and the comparison graph is connected as
soon as there are as many battles as pairs. Sides are drawn at random for each battle.
"""

from __future__ import annotations

import random
from itertools import combinations
from typing import Any

__all__ = ["plan_battles", "shown_prompt"]


def plan_battles(n_prompts: int, models: list[str], battles_per_prompt: int,
                 rng: random.Random) -> list[tuple[int, str, str]]:
    """``(prompt index, model on side a, model on side b)`` for every battle.

    >>> plan = plan_battles(3, ["x", "y", "z"], 2, random.Random(0))
    >>> len(plan), sorted({frozenset(p[1:]) for p in plan}) == sorted(
    ...     {frozenset(p) for p in [("x", "y"), ("x", "z"), ("y", "z")]})
    (6, True)
    """
    pairs = list(combinations(models, 2))
    if not pairs or battles_per_prompt < 1:
        return []
    rng.shuffle(pairs)
    plan = []
    cursor = 0
    for prompt in range(n_prompts):
        for _ in range(battles_per_prompt):
            first, second = pairs[cursor % len(pairs)]
            cursor += 1
            plan.append((prompt, *((first, second) if rng.random() < 0.5
                                   else (second, first))))
    return plan


def shown_prompt(prompt: dict[str, Any]) -> str | dict[str, Any]:
    """The prompt as a worker sees it in a battle: its text, or for a conversation with
    more than one message the messages themselves.

    >>> shown_prompt({"messages": [{"role": "user", "content": "hi"}]})
    'hi'
    """
    messages = prompt["messages"]
    if len(messages) == 1:
        return str(messages[0]["content"])
    return {"messages": messages}
