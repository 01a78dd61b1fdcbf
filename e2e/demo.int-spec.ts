import { resolve } from 'node:path';
import { runScript, TEST_BROKERS, TEST_POSTGRES_URL } from '@antq/testing';

const DEMO = resolve(__dirname, '..', 'dist/demo/nghe-an-2024.js');

/** The README's demo, run as `npm run demo` runs it (after the build), on the test broker and server. */
it('replays the Nghệ An 2024 campaign: progress moves, a target turns at risk, both are achieved and stay so after 2025', async () => {
  const { code, stdout, stderr } = await runScript(DEMO, [], { KAFKA_BROKERS: TEST_BROKERS, POSTGRES_URL: TEST_POSTGRES_URL, LOG_LEVEL: 'error' });
  expect({ code, stderr: stderr.split('\n').filter((line) => /demo failed/.test(line)) }).toEqual({ code: 0, stderr: [] });

  expect(stdout).toContain('Nghệ An in 2024: 412 communes in 20 districts');
  expect(stdout).toContain('baseline captured: 12 communes already drug-free');
  const months = stdout.split('\n').filter((line) => /^2024-\d\d-\d\d {2}\|/.test(line));
  expect(months).toHaveLength(12);
  // The count moves month by month, from a couple of communes in January to the goal in December.
  const counts = months.map((line) => Number(/\|\s+(\d+)\/105/.exec(line)?.[1]));
  expect(counts[0]).toBeLessThan(10);
  for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]);
  expect(stdout).toMatch(/event: "105 xã[^\n]*" turned on-track → at-risk/);
  expect(months[11]).toMatch(/107\/105, heading for 107 {2}achieved .*\| {3}6\/6, heading for {3}6 {2}achieved/);
  expect(stdout).toMatch(/event: "6 huyện[^\n]*" turned \S+ → achieved/);

  // The 2025 reorganisation leaves the 2024 results as they were.
  expect(stdout).toMatch(/After the 2025 reorganisation \(20 districts closed, \d+ merges\), recomputed from history: 0 targets changed/);
  expect(stdout).toMatch(/105 xã[^\n]*: 107\/105, achieved/);
  expect(stdout).toMatch(/6 huyện[^\n]*: 6\/6, achieved/);
}, 600_000);
