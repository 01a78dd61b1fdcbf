import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AddressDeniedError, AddressPolicy, AddressResolutionError, DEFAULT_DENIED_CIDRS, parseCidr } from './address-policy';
import { retryDelayMs } from './backoff';
import { nextAttemptDelay, quietUntil, type DeliveryTiming } from './next-attempt';
import { releaseTime } from './quiet-hours';
import { signatureHeader, verifySignature } from './signature';
import { sendWebhook } from './webhook.sender';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"1","type":"antq.notifications.alert-raised.v1"}';

  it('verify with the secret, the exact body and a recent timestamp', () => {
    const now = 1_800_000_000;
    const header = signatureHeader(secret, body, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(header, body, secret, 300, now + 10)).toBe(true);
  });

  it('fail for another secret, a changed body, an old timestamp or a malformed header', () => {
    const now = 1_800_000_000;
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(header, body, 'whsec_other', 300, now)).toBe(false);
    expect(verifySignature(header, body.replace('1', '2'), secret, 300, now)).toBe(false);
    expect(verifySignature(header, body, secret, 300, now + 301)).toBe(false);
    expect(verifySignature('v1=abc', body, secret, 300, now)).toBe(false);
    expect(verifySignature(undefined, body, secret)).toBe(false);
  });

  it('carry a signature per secret while a rotated-out one is honoured, each verifying alone', () => {
    const now = 1_800_000_000;
    const header = signatureHeader([secret, 'whsec_previous'], body, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifySignature(header, body, secret, 300, now)).toBe(true);
    expect(verifySignature(header, body, 'whsec_previous', 300, now)).toBe(true);
    expect(verifySignature(header, body, 'whsec_other', 300, now)).toBe(false);
  });
});

describe('retry backoff', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, 60_000, () => 0.999999))).toEqual([999, 1999, 3999, 7999]);
    expect(retryDelayMs(20, 1000, 60_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(3, 1000, 60_000, () => 0)).toBe(0);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(5, 1000, 60_000)));
    expect(spread.size).toBeGreaterThan(40);
    for (const d of spread) expect(d).toBeLessThan(16_000);
  });
});

describe('webhook address policy', () => {
  const resolver = (answers: Record<string, string[]>) => async (host: string) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('refuses private, loopback and metadata addresses by default, including IPv4-mapped IPv6', () => {
    const policy = new AddressPolicy([]);
    expect(policy.denyCidrs).toEqual(DEFAULT_DENIED_CIDRS);
    for (const address of [
      ...['0.0.0.0', '0.1.2.3', '127.0.0.1', '10.1.2.3', '172.20.0.5', '192.168.1.1', '100.64.0.1', '100.127.255.254', '169.254.169.254', '169.254.0.1'],
      ...['::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'febf::1', 'fec0::1', 'feff::1'],
      ...['::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:0.0.0.0', '::ffff:100.64.0.1'],
    ]) {
      expect({ address, refusal: policy.refusal(address) }).toEqual({ address, refusal: expect.stringMatching(/denied range/) });
    }
    expect(policy.refusal('::ffff:203.0.113.10')).toBeUndefined();
    expect(policy.refusal('203.0.113.10')).toBeUndefined();
    expect(policy.refusal('2001:db8::1')).toBeUndefined();
  });

  it('refuses an internal IPv4 host reached through an IPv6 address that carries it', () => {
    const policy = new AddressPolicy([]);
    const carriers = {
      '::ffff:a00:1': '10.0.0.1',
      '::ffff:0:a9fe:a9fe': '169.254.169.254',
      '::7f00:1': '127.0.0.1',
      '64:ff9b::c0a8:101': '192.168.1.1',
      '64:ff9b::10.1.2.3': '10.1.2.3',
      '2002:ac14:5::1': '172.20.0.5',
    };
    for (const [address, ipv4] of Object.entries(carriers)) {
      expect(policy.refusal(address)).toBe(`address ${address} (${ipv4}) is in a denied range (built in) and not in WEBHOOK_ALLOW_CIDRS`);
    }
    // Teredo and local-use NAT64 are closed as such.
    expect(policy.refusal('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toMatch(/^address 2001:0:4136:e378:8000:63bf:3fff:fdd2 is in a denied range/);
    expect(policy.refusal('64:ff9b:1::a00:1')).toMatch(/denied range/);
    // A public host stays reachable through NAT64 and 6to4; the allow list opens both forms.
    expect(policy.refusal('64:ff9b::cb00:710a')).toBeUndefined();
    expect(policy.refusal('2002:cb00:710a::1')).toBeUndefined();
    expect(new AddressPolicy(['10.20.0.0/16']).refusal('64:ff9b::a14:304')).toBeUndefined();
  });

  it('adds WEBHOOK_DENY_CIDRS to the default ranges, never in their place; the allow list still opens either', () => {
    const policy = new AddressPolicy([], ['198.51.100.0/24']);
    expect(policy.denyCidrs).toEqual([...DEFAULT_DENIED_CIDRS, '198.51.100.0/24']);
    for (const address of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fec0::1', '::ffff:127.0.0.1', '198.51.100.7', '::ffff:198.51.100.7']) {
      expect({ address, refusal: policy.refusal(address) }).toEqual({ address, refusal: expect.stringMatching(/denied range/) });
    }
    expect(policy.refusal('203.0.113.10')).toBeUndefined();
    const opened = new AddressPolicy(['10.20.0.0/16', '198.51.100.7/32'], ['198.51.100.0/24']);
    expect(opened.refusal('10.20.3.4')).toBeUndefined();
    expect(opened.refusal('198.51.100.7')).toBeUndefined();
    expect(opened.refusal('10.21.3.4')).toMatch(/denied range/);
    expect(opened.refusal('198.51.100.8')).toMatch(/denied range/);
  });

  it('lets the allow list open a denied range', () => {
    const policy = new AddressPolicy(['127.0.0.1/32', '10.20.0.0/16']);
    expect(policy.refusal('127.0.0.1')).toBeUndefined();
    expect(policy.refusal('10.20.3.4')).toBeUndefined();
    expect(policy.refusal('10.21.3.4')).toMatch(/denied/);
  });

  it('checks every address a host resolves to, and the URL form', async () => {
    const policy = new AddressPolicy([], [], resolver({ 'ok.example': ['203.0.113.5'], 'sneaky.example': ['203.0.113.5', '10.0.0.7'] }));
    await expect(policy.check('https://ok.example/hook')).resolves.toMatchObject({ addresses: [{ address: '203.0.113.5' }] });
    await expect(policy.check('https://sneaky.example/hook')).rejects.toThrow(/sneaky\.example: address 10\.0\.0\.7 is in a denied range/);
    await expect(policy.check('https://missing.example/hook')).rejects.toThrow(/does not resolve \(ENOTFOUND\)/);
    await expect(policy.check('https://missing.example/hook')).rejects.toThrow(AddressResolutionError);
    await expect(policy.check('ftp://ok.example/x')).rejects.toThrow(AddressDeniedError);
    await expect(policy.check('not a url')).rejects.toThrow(/is not a valid URL/);
    await expect(policy.check('https://user:pw@ok.example/')).rejects.toThrow(/must not carry credentials/);
    await expect(policy.check('http://[::1]:8080/x')).rejects.toThrow(/::1 is in a denied range/);
  });

  it('tells the caller that a host name leads somewhere refused, but not where; an address it typed, in full', async () => {
    const policy = new AddressPolicy([], [], resolver({ 'example.internal': ['10.4.2.7'] }));
    const byName = (await policy.check('https://example.internal/hook').catch((error: unknown) => error)) as AddressDeniedError;
    expect(byName.message).toMatch(/^example\.internal: address 10\.4\.2\.7 is in a denied range/);
    expect(byName.publicMessage).toBe('the host example.internal resolves to an address the webhook policy does not allow');
    const typed = (await policy.check('http://10.4.2.7/hook').catch((error: unknown) => error)) as AddressDeniedError;
    expect(typed.publicMessage).toBe(typed.message);
    expect(typed.publicMessage).toMatch(/address 10\.4\.2\.7 is in a denied range/);
  });

  it('retries a webhook whose host does not resolve, and fails one whose address is denied at once', async () => {
    const flaky = new AddressPolicy([], [], async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN hooks.example'), { code: 'EAI_AGAIN' });
    });
    await expect(sendWebhook(flaky, { url: 'https://hooks.example/antq', secrets: ['s'] }, '{}', {}, 1000)).resolves.toEqual({
      ok: false,
      statusCode: null,
      error: 'the host hooks.example does not resolve (EAI_AGAIN)',
      retryable: true,
    });
    // A resolver that never answers: the attempt ends within its time all the same, to be tried again.
    const silent = new AddressPolicy([], [], () => new Promise(() => undefined));
    await expect(sendWebhook(silent, { url: 'https://hooks.example/antq', secrets: ['s'] }, '{}', {}, 50)).resolves.toEqual({
      ok: false,
      statusCode: null,
      error: 'the host hooks.example does not resolve (no answer within 50 ms)',
      retryable: true,
    });
    const empty = new AddressPolicy([], [], async () => []);
    await expect(sendWebhook(empty, { url: 'https://hooks.example/antq', secrets: ['s'] }, '{}', {}, 1000)).resolves.toMatchObject({ ok: false, retryable: true });
    const internal = new AddressPolicy([], [], resolver({ 'hooks.example': ['10.0.0.7'] }));
    // The delivery log and its event say that the host leads somewhere refused; only the server's log says where.
    await expect(sendWebhook(internal, { url: 'https://hooks.example/antq', secrets: ['s'] }, '{}', {}, 1000)).resolves.toEqual({
      ok: false,
      statusCode: null,
      error: 'refused: the host hooks.example resolves to an address the webhook policy does not allow',
      logError: expect.stringMatching(/^refused: hooks\.example: address 10\.0\.0\.7 is in a denied range/),
      retryable: false,
    });
    const typed = new AddressPolicy([], [], resolver({}));
    await expect(sendWebhook(typed, { url: 'http://10.0.0.7/antq', secrets: ['s'] }, '{}', {}, 1000)).resolves.toMatchObject({
      error: expect.stringMatching(/^refused: 10\.0\.0\.7: address 10\.0\.0\.7 is in a denied range/),
    });
  });

  it('parses CIDR lists strictly', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ network: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ network: '::1', prefix: 128, family: 'ipv6' });
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/invalid prefix/);
    expect(() => parseCidr('intranet')).toThrow(/not an address/);
  });
});

describe('quiet hours', () => {
  const zone = 'Asia/Ho_Chi_Minh'; // UTC+7
  const quiet = { start: '22:00', end: '06:00' };

  it('hold a notification until the end of an overnight quiet period, local time', () => {
    // 23:30 local = 16:30 UTC: released at 06:00 local = 23:00 UTC.
    expect(releaseTime(new Date('2026-03-01T16:30:20Z'), quiet, zone).toISOString()).toBe('2026-03-01T23:00:00.000Z');
    // 02:00 local = 19:00 UTC the day before.
    expect(releaseTime(new Date('2026-03-01T19:00:00Z'), quiet, zone).toISOString()).toBe('2026-03-01T23:00:00.000Z');
  });

  it('let it through outside quiet hours or without them', () => {
    const noon = new Date('2026-03-01T05:00:00Z');
    expect(releaseTime(noon, quiet, zone)).toBe(noon);
    expect(releaseTime(noon, null, zone)).toBe(noon);
    expect(releaseTime(noon, { start: '11:00', end: '13:00' }, zone).toISOString()).toBe('2026-03-01T06:00:00.000Z');
  });

  it('end at the local time the quiet period ends, across daylight-saving switches', () => {
    const berlin = 'Europe/Berlin';
    // 25 Oct 2026: 03:00 CEST becomes 02:00 CET, so the night lasts an hour longer. 23:00 CEST = 21:00 UTC; 06:00 CET = 05:00 UTC.
    expect(releaseTime(new Date('2026-10-24T21:00:00Z'), quiet, berlin).toISOString()).toBe('2026-10-25T05:00:00.000Z');
    // 29 Mar 2026: 02:00 CET becomes 03:00 CEST, an hour shorter. 23:00 CET = 22:00 UTC; 06:00 CEST = 04:00 UTC.
    expect(releaseTime(new Date('2026-03-28T22:00:00Z'), quiet, berlin).toISOString()).toBe('2026-03-29T04:00:00.000Z');
    // An end in the skipped hour (02:30): released when the clocks jump, 03:00 CEST = 01:00 UTC.
    expect(releaseTime(new Date('2026-03-28T22:00:00Z'), { start: '22:00', end: '02:30' }, berlin).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // Nights without a switch are unchanged: 23:00 CEST = 21:00 UTC, 06:00 CEST = 04:00 UTC.
    expect(releaseTime(new Date('2026-07-01T21:00:00Z'), quiet, berlin).toISOString()).toBe('2026-07-02T04:00:00.000Z');
  });
});

describe('the next attempt of a delivery', () => {
  const zone = 'Asia/Ho_Chi_Minh'; // UTC+7
  const config = { DELIVERY_BACKOFF_BASE_MS: 2_000, DELIVERY_BACKOFF_MAX_MS: 3_600_000, NOTIFICATIONS_TIME_ZONE: zone };
  const half = () => 0.5;
  const email = (change: Partial<DeliveryTiming> = {}): DeliveryTiming => ({
    channel: 'email',
    attempts: 2,
    attempts_before_resend: 0,
    severity: 'warning',
    quiet: { quiet_start: '22:00', quiet_end: '06:00', time_zone: null },
    ...change,
  });
  // 23:30 local; the quiet hours end at 06:00 local = 23:00 UTC.
  const night = new Date('2026-03-01T16:30:00Z');
  const morning = new Date('2026-03-01T23:00:00Z');
  const untilMorning = morning.getTime() - night.getTime();

  it('waits for the backoff, counted from the last resend', () => {
    const noon = new Date('2026-03-01T05:00:00Z');
    // Attempt 2 failed: below 2 s x 2; attempt 5 of which 3 before a resend: the second of the new budget.
    expect(nextAttemptDelay(email(), noon, config, half)).toEqual({ ms: 2_000, heldReason: null });
    expect(nextAttemptDelay(email({ attempts: 5 }), noon, config, half)).toEqual({ ms: 16_000, heldReason: null });
    expect(nextAttemptDelay(email({ attempts: 5, attempts_before_resend: 3 }), noon, config, half)).toEqual({ ms: 2_000, heldReason: null });
  });

  it("holds the retry of a non-critical email until its recipient's quiet hours end", () => {
    expect(nextAttemptDelay(email(), night, config, half)).toEqual({ ms: untilMorning, heldReason: 'quiet-hours' });
    expect(nextAttemptDelay(email({ quiet: { quiet_start: '22:00', quiet_end: '06:00', time_zone: 'Europe/Berlin' } }), night, config, half).heldReason).toBeNull();
    // A backoff that ends just inside the quiet hours (21:59:59 local plus almost 2 s) waits for their end too.
    const justBefore = new Date('2026-03-01T14:59:59Z');
    expect(nextAttemptDelay(email({ attempts: 1 }), justBefore, config, () => 0.9999)).toEqual({ ms: morning.getTime() - justBefore.getTime(), heldReason: 'quiet-hours' });
    expect(quietUntil(email(), night, zone)).toEqual(morning);
  });

  it('lets critical alerts, webhooks, recipients without quiet hours and resent deliveries go, retries included', () => {
    for (const delivery of [
      email({ severity: 'critical' }),
      email({ channel: 'webhook', severity: null, quiet: null }),
      email({ quiet: null }),
      email({ quiet: { quiet_start: null, quiet_end: null, time_zone: zone } }),
      // Resent by an operator after 3 attempts: its first attempt since (the 4th) and every retry of it go regardless.
      email({ attempts: 4, attempts_before_resend: 3 }),
      email({ attempts: 6, attempts_before_resend: 3 }),
    ]) {
      expect({ delivery, next: nextAttemptDelay(delivery, night, config, half) }).toEqual({ delivery, next: { ms: expect.any(Number), heldReason: null } });
      expect(nextAttemptDelay(delivery, night, config, half).ms).toBeLessThan(60_000);
      expect(quietUntil(delivery, night, zone)).toBeNull();
    }
  });
});

describe('the README verification snippet for integrators', () => {
  it('accepts what the service signs and refuses tampering', () => {
    const readme = readFileSync(resolve(__dirname, '../../../../README.md'), 'utf8');
    const snippet = /```js\n([\s\S]*?function verifyAntqSignature[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const verify = new Function('require', `${snippet}; return verifyAntqSignature;`)(require) as (header: string, body: string, secret: string) => boolean;
    const body = JSON.stringify({ specversion: '1.0', type: 'antq.notifications.alert-raised.v1', data: { message: { vi: 'Xã Nghi Thạch mất danh hiệu' } } });
    const header = signatureHeader('whsec_abc', body);
    expect(verify(header, body, 'whsec_abc')).toBe(true);
    expect(verify(header, body.replace('Thạch', 'Thach'), 'whsec_abc')).toBe(false);
    // While a rotated-out secret is honoured, the header carries a signature for each: either verifies.
    const rotating = signatureHeader(['whsec_new', 'whsec_abc'], body);
    expect([verify(rotating, body, 'whsec_abc'), verify(rotating, body, 'whsec_new'), verify(rotating, body, 'whsec_other')]).toEqual([true, true, false]);
    expect(verify(header, body, 'whsec_other')).toBe(false);
    expect(verify(signatureHeader('whsec_abc', body, Math.floor(Date.now() / 1000) - 3600), body, 'whsec_abc')).toBe(false);
  });
});
