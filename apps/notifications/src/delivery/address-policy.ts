import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { withTimeout } from '@antq/messaging';

/**
 * Addresses a webhook may not reach unless allowed: this host, private networks, link-local,
 * metadata, multicast. Always denied: WEBHOOK_DENY_CIDRS adds to them. (An IPv6 address that
 * carries an IPv4 one, ::ffff:127.0.0.1 say, is checked as that IPv4 address too.)
 */
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
  // Teredo tunnels and local-use NAT64 (whose IPv4 part sits where its operator chose) lead into networks unseen from here.
  '2001::/32',
  '64:ff9b:1::/48',
  'fc00::/7',
  'fe80::/10',
  // Site-local: deprecated, but a network that still routes it is an internal one.
  'fec0::/10',
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

/**
 * The IPv4 address an IPv6 one reaches, where it carries one: IPv4-mapped (::ffff:a.b.c.d),
 * -translated (::ffff:0:a.b.c.d), -compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4
 * (2002:aabb:ccdd::). A webhook may not reach an internal IPv4 host through any of them.
 */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipaddr.IPv6.parse(address).toByteArray();
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const last = bytes.slice(12).join('.');
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return last;
  // IPv4-compatible, but not :: and ::1, which are themselves.
  if (zeros(0, 12) && bytes[12] !== 0) return last;
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(10, 12)) return last;
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return last;
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6).join('.');
  return undefined;
}

/** The forms an address is checked in: the IPv4 address it carries, if any, then itself. */
function formsOf(address: string): { address: string; family: 'ipv4' | 'ipv6' }[] {
  if (isIP(address) === 4) return [{ address, family: 'ipv4' }];
  const ipv4 = embeddedIpv4(address);
  return [...(ipv4 ? [{ address: ipv4, family: 'ipv4' as const }] : []), { address, family: 'ipv6' }];
}

/**
 * The address is refused by the policy (or the URL is malformed): final, trying again cannot
 * help. `publicMessage` is what the caller may be told: how an internal host name resolves
 * stays in the message, for the server's log.
 */
export class AddressDeniedError extends Error {
  override readonly name = 'AddressDeniedError';

  constructor(
    message: string,
    readonly publicMessage = message,
  ) {
    super(message);
  }
}

/** The host could not be resolved now (DNS timeout, server failure, no answer): it may resolve later. */
export class AddressResolutionError extends Error {
  override readonly name = 'AddressResolutionError';
}

/** How long a host name may take to resolve, unless the caller gives less. */
const DEFAULT_RESOLUTION_LIMIT_MS = 10_000;

/**
 * Where webhooks may be delivered. An address in the allow list is always allowed; else an
 * address in the deny list (the defaults and any extra ranges) is refused; else it is
 * allowed. Every address a host name resolves to must pass, and delivery connects to the
 * checked address (no second lookup that could answer differently).
 */
export class AddressPolicy {
  /** The default ranges, then the extra ones. */
  readonly denyCidrs: string[];
  private readonly allow: BlockList;
  /** The ranges always denied, and those WEBHOOK_DENY_CIDRS adds. */
  private readonly builtIn: BlockList;
  private readonly deny: BlockList;

  constructor(
    readonly allowCidrs: string[],
    /** Denied besides DEFAULT_DENIED_CIDRS: adding a range must not lose the defaults' protection. */
    extraDenyCidrs: string[] = [],
    private readonly resolve: (host: string) => Promise<{ address: string; family: number }[]> = (host) => lookup(host, { all: true, verbatim: true }),
  ) {
    this.denyCidrs = [...DEFAULT_DENIED_CIDRS, ...extraDenyCidrs];
    this.allow = blockList(allowCidrs);
    this.builtIn = blockList(DEFAULT_DENIED_CIDRS);
    this.deny = blockList(extraDenyCidrs);
  }

  /**
   * Undefined when the address may be reached, else the reason it may not. The allow list
   * opens an address in either of its forms (itself, the IPv4 address it carries); else
   * either form in the deny list closes it.
   */
  refusal(address: string): string | undefined {
    const forms = formsOf(address);
    if (forms.some((f) => this.allow.check(f.address, f.family))) return undefined;
    // Which list denies it, so that an operator knows where the range comes from.
    const builtIn = forms.find((f) => this.builtIn.check(f.address, f.family));
    const denied = builtIn ?? forms.find((f) => this.deny.check(f.address, f.family));
    if (!denied) return undefined;
    const shown = denied.address === address ? address : `${address} (${denied.address})`;
    return `address ${shown} is in a denied range (${builtIn ? 'built in' : 'WEBHOOK_DENY_CIDRS'}) and not in WEBHOOK_ALLOW_CIDRS`;
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
      try {
        addresses = await withTimeout(this.resolve(host), resolveWithinMs);
      } catch (error) {
        throw new AddressResolutionError(`the host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
    if (!addresses.length) throw new AddressResolutionError(`the host ${host} has no address`);
    for (const { address } of addresses) {
      const refusal = this.refusal(address);
      // An address the URL itself names is the caller's own; one a host name resolves to is not.
      if (refusal) throw new AddressDeniedError(`${host}: ${refusal}`, isIP(host) ? undefined : `the host ${host} resolves to an address the webhook policy does not allow`);
    }
    return { url, addresses };
  }
}
