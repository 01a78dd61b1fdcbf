import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may not reach unless allowed: this host, private networks, link-local, metadata, multicast. */
export const DEFAULT_DENIED_CIDRS = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** Parses `a.b.c.d/n` or `x::y/n` (a bare address means /32 or /128); throws saying what is wrong. */
export function parseCidr(text: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [network, prefixText, extra] = text.trim().split('/');
  const version = isIP(network ?? '');
  if (!version || extra !== undefined) throw new Error(`"${text}" is not an address or CIDR block`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
    throw new Error(`"${text}" has an invalid prefix length (0-${max})`);
  }
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export function parseCidrList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function blockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { network, prefix, family } = parseCidr(cidr);
    list.addSubnet(network, prefix, family);
  }
  return list;
}

/** `::ffff:10.0.0.1` is 10.0.0.1: check mapped addresses as IPv4. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

/** The address is refused by the policy (or the URL is malformed): final, trying again cannot help. */
export class AddressDeniedError extends Error {
  override readonly name = 'AddressDeniedError';
}

/** The host could not be resolved now (DNS timeout, server failure, no answer): it may resolve later. */
export class AddressResolutionError extends Error {
  override readonly name = 'AddressResolutionError';
}

/** How long a host name may take to resolve, unless the caller gives less. */
const DEFAULT_RESOLUTION_LIMIT_MS = 10_000;

/**
 * Where webhooks may be delivered. An address in the allow list is always allowed; else an
 * address in the deny list is refused; else it is allowed. Every address a host name
 * resolves to must pass, and delivery connects to the checked address (no second lookup
 * that could answer differently).
 */
export class AddressPolicy {
  private readonly allow: BlockList;
  private readonly deny: BlockList;

  constructor(
    readonly allowCidrs: string[],
    readonly denyCidrs: string[],
    private readonly resolve: (host: string) => Promise<{ address: string; family: number }[]> = (host) => lookup(host, { all: true, verbatim: true }),
  ) {
    this.allow = blockList(allowCidrs);
    this.deny = blockList(denyCidrs);
  }

  /** Undefined when the address may be reached, else the reason it may not. */
  refusal(address: string): string | undefined {
    const { address: ip, family } = normalise(address);
    if (this.allow.check(ip, family)) return undefined;
    if (this.deny.check(ip, family)) return `address ${ip} is in a denied range (WEBHOOK_DENY_CIDRS) and not in WEBHOOK_ALLOW_CIDRS`;
    return undefined;
  }

  /** Checks a webhook URL's form (http or https, a host, no credentials). Returns the problem, if any. */
  static urlProblem(raw: string): string | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return `"${raw}" is not a valid URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the URL must be http or https (got ${url.protocol.replace(':', '')})`;
    if (!url.hostname) return 'the URL has no host';
    if (url.username || url.password) return 'the URL must not carry credentials: the signature authenticates deliveries';
    return undefined;
  }

  /**
   * Resolves the URL's host and checks every address; returns them. Throws
   * AddressDeniedError for a refused address or a malformed URL, AddressResolutionError
   * when the host does not resolve (which a later attempt may cure).
   */
  async check(raw: string, resolveWithinMs = DEFAULT_RESOLUTION_LIMIT_MS): Promise<{ url: URL; addresses: { address: string; family: number }[] }> {
    const problem = AddressPolicy.urlProblem(raw);
    if (problem) throw new AddressDeniedError(problem);
    const url = new URL(raw);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: { address: string; family: number }[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      // The system resolver has no deadline of its own: an attempt must end within its lease.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${resolveWithinMs} ms`)), resolveWithinMs);
      });
      try {
        addresses = await Promise.race([this.resolve(host), late]);
      } catch (error) {
        throw new AddressResolutionError(`the host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      } finally {
        clearTimeout(timer);
      }
    }
    if (!addresses.length) throw new AddressResolutionError(`the host ${host} has no address`);
    for (const { address } of addresses) {
      const refusal = this.refusal(address);
      if (refusal) throw new AddressDeniedError(`${host}: ${refusal}`);
    }
    return { url, addresses };
  }
}
