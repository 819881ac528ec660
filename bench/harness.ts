import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** One measured figure of one run. `baseline` names the figure in the same run it is compared to. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** which direction is better, for reading the ratio */
  better: 'higher' | 'lower';
  baseline?: string;
}

export interface Scenario {
  name: string;
  description: string;
  runs: number;
  setup?(): Promise<void>;
  run(iteration: number): Promise<Figure[]>;
  teardown?(): Promise<void>;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0]!;
  } catch {
    return 'not found';
  }
}

export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return [
    `machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}`,
    `versions: node ${process.version}; ${version('redis-server', ['--version'])}; ${version('psql', ['--version'])}`,
  ].join('\n');
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);

/** Runs a scenario and prints each figure's median/min/max and its ratio to the same-run baseline. */
export async function runScenario(scenario: Scenario): Promise<void> {
  console.log(`\n== ${scenario.name}: ${scenario.description} (${scenario.runs} runs)`);
  await scenario.setup?.();
  const byName = new Map<string, { figure: Figure; values: number[] }>();
  try {
    for (let i = 0; i < scenario.runs; i++) {
      for (const f of await scenario.run(i)) {
        const entry = byName.get(f.name) ?? { figure: f, values: [] };
        entry.values.push(f.value);
        byName.set(f.name, entry);
      }
    }
  } finally {
    await scenario.teardown?.();
  }
  for (const { figure, values } of byName.values()) {
    const m = median(values);
    let line = `  ${figure.name.padEnd(48)} median ${fmt(m)} ${figure.unit}  (min ${fmt(Math.min(...values))}, max ${fmt(Math.max(...values))})`;
    if (figure.baseline) {
      const base = byName.get(figure.baseline);
      if (base) line += `  → ${(m / median(base.values)).toFixed(2)}× ${figure.baseline}`;
    }
    console.log(line);
  }
}
