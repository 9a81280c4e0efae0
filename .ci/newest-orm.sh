#!/usr/bin/env bash
# Installs, without saving, the newest release in the peer range of every MikroORM package the tests use,
# so the next `npm test` runs against the top of the range (the devDependencies pin its bottom).
# A package the registry has no newer release of stays where it is; npm is told to accept the mix
# (MikroORM packages pin each other's exact version as peers).
set -euo pipefail
cd "$(dirname "$0")/.."
range=$(node -p "require('./package.json').peerDependencies['@mikro-orm/core']")
specs=()
# @mikro-orm/nestjs has its own version line (7.1.x): it is not in the peer range, and is left as installed.
for pkg in $(node -p "Object.keys(require('./package.json').devDependencies).filter(n => n.startsWith('@mikro-orm/') && n !== '@mikro-orm/nestjs').join(' ')"); do
  # npm lists the matching versions unsorted: take the highest.
  newest=$( (npm view "$pkg@$range" version --json 2>/dev/null || true) | node -e '
    let s = "";
    process.stdin.on("data", d => (s += d)).on("end", () => {
      const found = [].concat(JSON.parse(s || "[]"));
      const key = v => v.split(/[.-]/).slice(0, 3).map(n => n.padStart(6, "0")).join(".");
      console.log(found.sort((a, b) => (key(a) < key(b) ? -1 : 1)).pop() ?? "");
    });')
  [ -n "$newest" ] && specs+=("$pkg@$newest")
done
echo "ci: newest MikroORM in $range: ${specs[*]}"
npm install --no-save --legacy-peer-deps --no-audit --no-fund "${specs[@]}"
node -p "'ci: @mikro-orm/core ' + require('@mikro-orm/core/package.json').version + ', @mikro-orm/sql ' + require('@mikro-orm/sql/package.json').version"
