#!/usr/bin/env bash
# The README's five-minute tour, as one script. Start the demo in one terminal (`make demo`),
# then run this from the repository root in another: `bash scripts/tour.sh`. It reads the
# demo's address, key and project ids from assay-demo.env, which `assay demo` writes.
# The test suite runs it against a fresh demo (tests/test_tour.py) and checks that every
# command the README shows is one this script ran, so the two cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_FILE=${ASSAY_DEMO_ENV:-assay-demo.env}
if [ ! -f "$ENV_FILE" ]; then
  echo "no $ENV_FILE here: start the demo first (make demo), then run this beside it" >&2
  exit 2
fi
# shellcheck disable=SC1090
source "$ENV_FILE"
export PATH="$PWD/.venv/bin:$PATH"  # the `assay` that `make demo` installed
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

run() {  # show a command the way the README does, run it, keep its output for `field`
  printf '\n$ %s\n' "$1"
  eval "$1" | tee "$WORK/last"
  echo
}
field() {  # one field of the JSON object the last command printed
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" < "$WORK/last"
}

echo "## 2. Watch tasks complete"
run 'curl -s -H "Authorization: Bearer $DEMO_KEY" $ASSAY_URL/v1/projects | python3 -c "import json,sys; [print(p[\"id\"], p[\"kind\"], p[\"counts\"]) for p in json.load(sys.stdin)[\"docs\"]]"'
run 'curl -s -H "Authorization: Bearer $DEMO_KEY" "$ASSAY_URL/v1/tasks?project=$SENTIMENT&status=completed&include=responses&limit=1"'

echo "## 3. Your own organization and project"
run 'assay org create "My Lab" --json --db $ASSAY_DB'
MY_KEY=$(field api_key)
MY_ORG=$(field org_id)
run 'curl -s -X POST $ASSAY_URL/v1/projects -H "Authorization: Bearer $MY_KEY" -d '"'"'{"name": "toxicity", "kind": "categorize", "params": {"labels": ["ok", "toxic"]}, "quality": {"overlap": 2}}'"'"''
PROJECT=$(field id)
run 'curl -s -X POST $ASSAY_URL/v1/tasks/bulk -H "Authorization: Bearer $MY_KEY" -d '"'"'{"project": "'"'"'$PROJECT'"'"'", "tasks": [{"data": {"text": "have a nice day"}, "unique_id": "c1"}, {"data": {"text": "you are an idiot"}, "unique_id": "c2"}, {"data": {"text": "again"}, "unique_id": "c1"}]}'"'"''
run 'curl -s -X POST $ASSAY_URL/v1/tasks -H "Authorization: Bearer $MY_KEY" -d '"'"'{"project": "'"'"'$PROJECT'"'"'", "data": {"text": "5"}, "priority": "high"}'"'"''

echo "## 4. Be a worker"
run 'assay worker create ann.$MY_ORG@example.com --org $MY_ORG --json --db $ASSAY_DB'
TOKEN=$(field token)
run 'curl -s -X POST $ASSAY_URL/v1/work/next -H "Authorization: Bearer $TOKEN" -d '"'"'{"project": "'"'"'$PROJECT'"'"'"}'"'"''
ASSIGNMENT=$(field assignment_id)
run 'curl -s -X POST $ASSAY_URL/v1/work/$ASSIGNMENT/submit -H "Authorization: Bearer $TOKEN" -d '"'"'{"answer": {"label": "maybe"}}'"'"''
run 'curl -s -X POST $ASSAY_URL/v1/work/$ASSIGNMENT/submit -H "Authorization: Bearer $TOKEN" -d '"'"'{"answer": {"label": "ok"}}'"'"''

echo "## 5. Export, and aggregate answers yourself"
run 'assay export --project $PROJECT --format csv --db $ASSAY_DB'
run 'head -4 docs/examples/answers.csv'
run 'assay aggregate docs/examples/answers.csv | head -7'
run 'assay aggregate docs/examples/answers.csv --method majority_vote | head -7'

echo "## 6. Quality, review and pay"
run 'curl -s -H "Authorization: Bearer $DEMO_KEY" "$ASSAY_URL/v1/projects/$SENTIMENT/workers?limit=100" | python3 -c "import json,sys; [print(w[\"worker_id\"], w[\"answers\"], w[\"gold_answers\"], w[\"estimated_accuracy\"], w[\"status\"], w[\"pause_reason\"], w[\"earned\"]) for w in json.load(sys.stdin)[\"docs\"]]"'
run 'curl -s -X POST -H "Authorization: Bearer $DEMO_KEY" $ASSAY_URL/v1/payouts -d "{}" | python3 -c "import json,sys; p=json.load(sys.stdin); print(p[\"id\"], len(p[\"lines\"]), \"workers paid\", p[\"totals\"])"'
run 'curl -s -H "Authorization: Bearer $DEMO_KEY" $ASSAY_URL/v1/projects/$SENTIMENT/cost'
