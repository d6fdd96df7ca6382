"""Issue 7's baseline, line by line against this model's decisions.

    python compare.py [--banking77-only] TRAIN.jsonl SCORED.jsonl [TRAIN.jsonl SCORED.jsonl ...]

For each pair: trains the issue's baseline on TRAIN (lines with "text" and a class in "class", or in
"intent" for BANKING77's own files, and its "category"), classifies the lines of SCORED (written by
`pnpm eval --decisions` or `pnpm train --export`: "text", "intent" or null, "category", "predicted")
and maps each predicted class to its category. With --banking77-only the baseline learns only the
BANKING77 lines of TRAIN, as the issue's baseline does; otherwise it learns the same lines as this
model, our own lines as one class per category. Reports both models' accuracy on the BANKING77 lines
(those with an intent) and on the others, then pools all pairs and counts the lines only one of the
two models gets right: the exact McNemar test on those says whether the difference is more than
chance. Pooling is sound only when no line is scored twice, as with the folds of `--folds`.

The baseline as the issue states it: TF-IDF of character 1-4-grams (across word boundaries) and word
1-2-grams, each L2-normalised, and a linear SVM (scikit-learn's TfidfVectorizer and LinearSVC(C=1),
defaults otherwise).
"""
import json
import sys

from scipy.sparse import hstack
from scipy.stats import binomtest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

# How `pnpm train --export` names the class of our own lines (categoryClassName in src/train.ts).
OWN_CLASS_PREFIX = "category:"


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def baseline_categories(train, texts, banking77_only):
    if banking77_only:
        train = [row for row in train if not (row.get("class") or row["intent"]).startswith(OWN_CLASS_PREFIX)]
    classes = [row.get("class") or row["intent"] for row in train]
    category_of = {c: row["category"] for c, row in zip(classes, train)}
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 4))
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2))
    train_texts = [row["text"] for row in train]
    x = hstack([chars.fit_transform(train_texts), words.fit_transform(train_texts)]).tocsr()
    svm = LinearSVC(C=1).fit(x, classes)
    return [category_of[c] for c in svm.predict(hstack([chars.transform(texts), words.transform(texts)]).tocsr())]


def main(args):
    banking77_only = "--banking77-only" in args
    paths = [a for a in args if a != "--banking77-only"]
    if not paths or len(paths) % 2:
        sys.exit(__doc__)
    pooled = {"banking77": [0, 0, 0, 0, 0], "own": [0, 0, 0, 0, 0]}  # n, ours right, baseline right, only ours, only baseline
    for train_path, scored_path in zip(paths[::2], paths[1::2]):
        scored = read(scored_path)
        baseline = baseline_categories(read(train_path), [row["text"] for row in scored], banking77_only)
        counts = {"banking77": [0, 0, 0, 0, 0], "own": [0, 0, 0, 0, 0]}
        for row, theirs in zip(scored, baseline):
            ours_right, theirs_right = row["predicted"] == row["category"], theirs == row["category"]
            for tally in (counts, pooled):
                c = tally["banking77" if row.get("intent") else "own"]
                c[0] += 1
                c[1] += ours_right
                c[2] += theirs_right
                c[3] += ours_right and not theirs_right
                c[4] += theirs_right and not ours_right
        print(scored_path, " ".join(describe(kind, c) for kind, c in counts.items() if c[0]))
    for kind, c in pooled.items():
        if c[0] and len(paths) > 2:
            print("pooled", describe(kind, c))
        if c[0]:
            p = binomtest(c[3], c[3] + c[4], 0.5).pvalue if c[3] + c[4] else 1.0
            print(f"{kind}: {c[3]} lines only this model gets right, {c[4]} only the baseline; exact McNemar p = {p:.4f}")


def describe(kind, c):
    return f"{kind}: n {c[0]} this model {c[1] / c[0]:.4f} ({c[1]}) baseline {c[2] / c[0]:.4f} ({c[2]})"


if __name__ == "__main__":
    main(sys.argv[1:])
