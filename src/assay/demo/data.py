"""Generated demo items with a hidden truth: product reviews and pairs of answers."""

from __future__ import annotations

import random
from dataclasses import dataclass

PRODUCTS = ["headphones", "espresso machine", "running shoes", "desk lamp", "backpack",
            "e-reader", "blender", "office chair", "phone case", "air purifier",
            "mechanical keyboard", "water bottle", "rice cooker", "webcam", "yoga mat"]
POSITIVE = ["works perfectly", "exceeded my expectations", "is worth every cent",
            "arrived early and feels solid", "is the best I have owned",
            "made my mornings better", "is quiet and well built"]
NEGATIVE = ["broke after a week", "is a waste of money", "stopped charging on day two",
            "smells of burnt plastic", "was missing parts", "feels cheap and flimsy",
            "never matched the photos"]
NEUTRAL = ["does what the box says", "is fine for the price", "is okay, nothing special",
           "arrived on the date promised", "is the same as my last one",
           "comes in a blue box", "has a two-year warranty"]
OPENERS = ["Honestly, the", "The", "Bought this", "My new", "This", "Second order: the"]

QUESTIONS = [
    ("How do I boil an egg?",
     "Place the egg in boiling water for 7 to 9 minutes, then cool it in cold water.",
     "Eggs are a good source of protein."),
    ("What is the capital of Australia?", "Canberra.", "Sydney, the largest city."),
    ("How many days are in a leap year?", "366 days.", "365 days, like every year."),
    ("What does HTTP stand for?", "HyperText Transfer Protocol.",
     "A way computers talk, basically."),
    ("Why is the sky blue?",
     "Air scatters short blue wavelengths of sunlight more than red ones (Rayleigh "
     "scattering).", "Because it reflects the ocean."),
    ("Convert 10 km to miles.", "About 6.2 miles.", "About 16 miles."),
]


@dataclass(frozen=True)
class Item:
    data: dict[str, str]
    truth: str
    unique_id: str


def reviews(n: int, rng: random.Random) -> list[Item]:
    items = []
    for i in range(n):
        label = rng.choice(["positive", "negative", "neutral"])
        phrase = rng.choice({"positive": POSITIVE, "negative": NEGATIVE,
                             "neutral": NEUTRAL}[label])
        text = f"{rng.choice(OPENERS)} {rng.choice(PRODUCTS)} {phrase}. (review #{i + 1})"
        items.append(Item({"text": text}, label, f"review-{i + 1:04d}"))
    return items


def comparisons(n: int, rng: random.Random) -> list[Item]:
    items = []
    for i in range(n):
        prompt, good, bad = QUESTIONS[i % len(QUESTIONS)]
        swap = rng.random() < 0.5
        a, b = (bad, good) if swap else (good, bad)
        items.append(Item({"prompt": f"{prompt} (#{i + 1})", "a": a, "b": b},
                          "b" if swap else "a", f"pair-{i + 1:04d}"))
    return items


#: The chat project's opening messages (the user's first turn of each conversation).
CHAT_PROMPTS = [
    "Explain what a DNS resolver does, in two sentences.",
    "Write a Python function that reverses a string, with a short docstring.",
    "What should I check before I sign a flat rental contract?",
    "Give me three names for a cafe that serves only soup.",
    "Summarize the causes of the French Revolution in a short list.",
    "How do I undo my last git commit but keep the changes?",
]
