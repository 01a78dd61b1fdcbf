import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector/promises';
import type { Row } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Runs `work` under the V8 CPU profiler of this process when `file` is set (the
 * BENCH_CPU_PROFILE setting) and writes a .cpuprofile there, for Chrome DevTools or
 * speedscope. Without `file` it only runs `work`.
 */
export async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<{ result: T; profile?: CpuProfile }> {
  if (!file) return { result: await work() };
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Where a file belongs: an npm package, a project source folder, Node itself, or V8 (GC, idle). */
function owner(url: string, functionName: string): string {
  if (!url) return functionName || '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /dist\/((?:apps|libs|bench)\/[^/]+)/.exec(url);
  if (own) return own[1];
  return url.startsWith('node:') ? 'node (core)' : url;
}

/** Self time of the profiled thread by owner, largest first, as table rows. */
export function profileRows(profile: CpuProfile, top = 12): Row[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byOwner = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    total += dt;
    const key = owner(node.callFrame.url, node.callFrame.functionName);
    byOwner.set(key, (byOwner.get(key) ?? 0) + dt);
  });
  return [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => [key, `${(us / 1000).toFixed(0).padStart(6)} ms  ${((100 * us) / total).toFixed(1).padStart(5)} %`]);
}
