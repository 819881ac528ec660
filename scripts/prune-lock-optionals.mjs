// The npm registry mirror this project is built against lacks some platform builds of native
// packages (e.g. msgpackr-extract for darwin). `npm install` skips them, but records their names
// in the lock file, and `npm ci` then refuses the lock as "missing" them. This drops optional
// dependency names that have no entry in the lock, so `npm ci` accepts it. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const present = new Set(Object.keys(lock.packages));
let pruned = 0;
for (const [where, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  for (const name of Object.keys(entry.optionalDependencies)) {
    // npm resolves a dependency in the nearest node_modules up the tree
    const candidates = [];
    let base = where;
    for (;;) {
      candidates.push(`${base ? `${base}/` : ''}node_modules/${name}`);
      const idx = base.lastIndexOf('node_modules/');
      if (idx < 0) break;
      base = base.slice(0, Math.max(0, idx - 1));
    }
    if (!candidates.some((c) => present.has(c))) {
      delete entry.optionalDependencies[name];
      pruned++;
    }
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`pruned ${pruned} unresolvable optional dependencies from package-lock.json`);
