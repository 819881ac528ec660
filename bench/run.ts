import { describeMachine, runScenario, type Scenario } from './harness.js';
import { callbacksScenario } from './scenarios/callbacks.js';
import { customer360Scenario } from './scenarios/customer360.js';
import { httpScenario } from './scenarios/http.js';
import { ingestScenario } from './scenarios/ingest.js';
import { sidebarScenario } from './scenarios/sidebar.js';
import { sopScenario } from './scenarios/sop.js';
import { syncScenario } from './scenarios/sync.js';

const scenarios: Record<string, () => Scenario> = {
  http: httpScenario,
  callbacks: callbacksScenario,
  sync: syncScenario,
  ingest: ingestScenario,
  customer360: customer360Scenario,
  sidebar: sidebarScenario,
  sop: sopScenario,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((n) => !(n in scenarios));
if (unknown.length) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; available: ${Object.keys(scenarios).join(', ')}`,
  );
  process.exit(2);
}

console.log(describeMachine());
for (const name of requested.length ? requested : Object.keys(scenarios)) {
  await runScenario(scenarios[name]!());
}
process.exit(0);
