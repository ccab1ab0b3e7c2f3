#!/bin/sh
# docker compose only (service `seed`, directory image): migrates the directory, creates the demo
# hospitals, users and integration keys (idempotent), and leaves the hospital ids in
# /seed/seed.json for the hospital containers (start-hospital.mjs). The demo passwords exist only
# in the output of the first run: kept in /seed/demo-credentials.json (mode 600) and printed once.
set -eu
seed_dir="${SEED_DIR:-/seed}"
[ -n "${DEMO_PASSWORD:-}" ] || unset DEMO_PASSWORD
out="$(mktemp)"
node dist/cli.js seed --hospitals "$SEED_HOSPITALS" > "$out"
tail -n 1 "$out" > "$seed_dir/seed.json"
chmod 644 "$seed_dir/seed.json"
if [ ! -s "$seed_dir/demo-credentials.json" ]; then
  (umask 077 && cp "$seed_dir/seed.json" "$seed_dir/demo-credentials.json")
  CREDENTIALS="$seed_dir/demo-credentials.json" node -e '
    const seed = JSON.parse(require("fs").readFileSync(process.env.CREDENTIALS, "utf8"));
    console.log(`Demo users (printed on the first start only; also in the seed volume, ${process.env.CREDENTIALS}):`);
    for (const u of seed.users) console.log(`  ${u.email.padEnd(30)} ${u.password}`);
    for (const k of seed.apiKeys) console.log(`  integration API key for ${k.hospitalSlug}: ${k.apiKey}`);
  '
fi
rm -f "$out"
