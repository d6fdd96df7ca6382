#!/usr/bin/env bash
# Issue 7's baseline against this model, on the BANKING77 test file and in 10-fold cross-validation
# over the training files (see README.md). Needs a Python with scikit-learn and scipy: PYTHON=...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
python="${PYTHON:-python3}"
compare=packages/classifier-workbench/baseline/compare.py
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== BANKING77 test file: the committed model; the baseline trained on BANKING77 train"
pnpm --silent eval packages/classifier-workbench/data/eval/banking77-test.jsonl --decisions "$out/test.jsonl" >/dev/null
"$python" "$compare" packages/classifier-workbench/data/banking77-train.jsonl "$out/test.jsonl"

echo "== 10 folds of the training files: each line scored once, by models trained on the other nine folds"
pairs=()
for fold in $(seq 1 10); do
  pnpm --silent train --folds 10 --fold "$fold" --export "$out/fold-$fold" >/dev/null
  pairs+=("$out/fold-$fold/train.jsonl" "$out/fold-$fold/held-out.jsonl")
done
echo "-- the baseline trained on the BANKING77 lines of the other folds, as the issue defines it"
"$python" "$compare" --banking77-only "${pairs[@]}" | tail -n 4
echo "-- the baseline trained on the same lines as this model"
"$python" "$compare" "${pairs[@]}" | tail -n 4
