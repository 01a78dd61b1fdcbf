import { WakeSignal } from './notification-listener';

const elapsed = async (work: () => Promise<void>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

describe('WakeSignal', () => {
  it('sleeps the whole interval when nothing pokes it', async () => {
    expect(await elapsed(() => new WakeSignal().sleep(50))).toBeGreaterThanOrEqual(45);
  });

  it('wakes a sleeper when poked', async () => {
    const signal = new WakeSignal();
    setTimeout(() => signal.poke(), 10);
    expect(await elapsed(() => signal.sleep(5_000))).toBeLessThan(1_000);
  });

  it('keeps a poke that came while the loop was busy, once', async () => {
    const signal = new WakeSignal();
    signal.poke();
    expect(await elapsed(() => signal.sleep(5_000))).toBeLessThan(1_000);
    expect(await elapsed(() => signal.sleep(50))).toBeGreaterThanOrEqual(45);
  });

  it('forgets a poke when cleared: the loop is about to look anyway', async () => {
    const signal = new WakeSignal();
    signal.poke();
    signal.clear();
    expect(await elapsed(() => signal.sleep(50))).toBeGreaterThanOrEqual(45);
  });
});
