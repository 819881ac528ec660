import { describeMachine, runScenario, type Scenario } from './harness.js';
import { httpScenario } from './scenarios/http.js';

const scenarios: Record<string, () => Scenario> = {
  http: httpScenario,
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
