/**
 * A separate process that GETs one path template over random bench customers, so the server
 * under test does not share its event loop with the load generator.
 * Usage: tsx bench/load/customer360-load.ts ORIGIN PATH_TEMPLATE CONNECTIONS SECONDS [COOKIE]
 * (`{id}` in the template becomes a random customer). Prints one JSON line: { rps, p50, p99, errors, non2xx }.
 */
import autocannon from 'autocannon';
import { benchCustomerId, C360_SIZES } from './customer360-data.js';

const [origin, template, connections, seconds, cookie] = process.argv.slice(2);
const result = await autocannon({
  url: origin!,
  connections: Number(connections),
  duration: Number(seconds),
  headers: cookie ? { cookie } : {},
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        path: template!.replace(
          '{id}',
          benchCustomerId(1 + Math.floor(Math.random() * C360_SIZES.customers)),
        ),
      }),
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  })}\n`,
);
