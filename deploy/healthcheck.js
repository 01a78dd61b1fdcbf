// Container health probe without curl: `node healthcheck.js [/health/live|/health/ready]`.
// Exits 0 when the service answers 2xx within 4 s, else 1.
const DEFAULT_PORTS = { 'units-registry': 3101, assessments: 3102, campaigns: 3103, notifications: 3104 };
const port = process.env.PORT || DEFAULT_PORTS[process.env.SERVICE];
const path = process.argv[2] || '/health/live';

fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
