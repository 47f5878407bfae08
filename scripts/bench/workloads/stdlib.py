"""Calls into json, re and collections from user code (the standard library is not traced)."""

import json
import re
from collections import Counter, defaultdict, deque

from _measure import measure

WORD = re.compile(r"[a-z]+")


def work(n):
    text = "the quick brown fox jumps over the lazy dog and the cat " * 4
    recent = deque(maxlen=8)
    by_length = defaultdict(int)
    total = 0
    for i in range(n):
        words = WORD.findall(text)
        counts = Counter(words)
        document = json.dumps({"i": i, "top": counts.most_common(3), "words": words[:10]}, sort_keys=True)
        parsed = json.loads(document)
        recent.append(re.sub(r"\d", "#", document))
        by_length[len(parsed["words"][i % 10])] += 1
        total = (total + len(document) + counts["the"] + len(recent[0])) & 0xFFFFFFFF
    return total + sum(k * v for k, v in sorted(by_length.items()))


measure(work, 3_000)
