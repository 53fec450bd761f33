import { isIP } from 'node:net';

/**
 * How an address may be used as a webhook target. `loopback` and `private` can each be allowed by policy
 * (`disable_loopback` / `disable_private_ips`); `link-local` (including cloud metadata 169.254.169.254) and `reserved`
 * (unspecified, documentation, multicast, tunnelling and other special-purpose ranges) should never be.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

type AddressRange = readonly [network: string, prefixLength: number, addressClass: AddressClass];

const IPV4_RANGES: readonly AddressRange[] = [
  // "This network": on Linux a connection to 0.0.0.0 reaches the local host.
  ['0.0.0.0', 8, 'reserved'],
  ['10.0.0.0', 8, 'private'],
  // Carrier-grade NAT shared space: not routable on the internet, so as sensitive as RFC 1918.
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'reserved'],
  // Also covers the limited broadcast address 255.255.255.255.
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_RANGES: readonly AddressRange[] = [
  ['fe80::', 10, 'link-local'],
  ['fc00::', 7, 'private'],
  ['ff00::', 8, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['100::', 64, 'reserved'],
  // 6to4 and NAT64 carry an IPv4 address that a gateway may forward to, so they are refused outright.
  ['2002::', 16, 'reserved'],
  ['64:ff9b::', 96, 'reserved'],
  ['64:ff9b:1::', 48, 'reserved'],
];

// Forms whose low 32 bits are an IPv4 address the host stack may connect to directly.
const IPV4_EMBEDDING_PREFIXES: readonly (readonly [network: string, prefixLength: number])[] = [
  ['::ffff:0:0', 96], // IPv4-mapped
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT)
  ['::', 96], // IPv4-compatible (deprecated); :: and ::1 are matched before this
];
const UNSPECIFIED_IPV6 = 0n;
const LOOPBACK_IPV6 = 1n;

// Only 2000::/3 is allocated as global unicast; anything outside it that no rule names is treated as reserved.
const GLOBAL_UNICAST = { network: parseIpv6('2000::'), prefixLength: 3 };

const parsedIpv4Ranges = IPV4_RANGES.map(([network, prefixLength, addressClass]) => ({
  network: parseIpv4(network),
  prefixLength,
  addressClass,
}));
const parsedIpv6Ranges = IPV6_RANGES.map(([network, prefixLength, addressClass]) => ({
  network: parseIpv6(network),
  prefixLength,
  addressClass,
}));
const parsedIpv4Embeddings = IPV4_EMBEDDING_PREFIXES.map(([network, prefixLength]) => ({
  network: parseIpv6(network),
  prefixLength,
}));

/**
 * Classifies a literal IPv4 or IPv6 address (brackets and a `%zone` suffix are tolerated). IPv4-mapped,
 * -translated and -compatible IPv6 forms are classified by the IPv4 address they carry.
 * Throws a TypeError when the input is not an IP address.
 */
export function classifyAddress(ip: string): AddressClass {
  const address = normaliseAddress(ip);
  switch (isIP(address)) {
    case 4:
      return classifyIpv4(parseIpv4(address));
    case 6:
      return classifyIpv6(parseIpv6(address));
    default:
      throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  }
}

/** True only for a globally routable unicast address; false for anything else, including input that is not an IP. */
export function isPublicAddress(ip: string): boolean {
  try {
    return classifyAddress(ip) === 'public';
  } catch {
    return false;
  }
}

function classifyIpv4(address: number): AddressClass {
  const match = parsedIpv4Ranges.find(({ network, prefixLength }) => ipv4InRange(address, network, prefixLength));
  return match?.addressClass ?? 'public';
}

function classifyIpv6(address: bigint): AddressClass {
  if (address === UNSPECIFIED_IPV6) {
    // Like 0.0.0.0, a connection to :: reaches the local host.
    return 'reserved';
  }
  if (address === LOOPBACK_IPV6) {
    return 'loopback';
  }
  if (parsedIpv4Embeddings.some(({ network, prefixLength }) => ipv6InRange(address, network, prefixLength))) {
    return classifyIpv4(Number(address & 0xffffffffn));
  }
  const match = parsedIpv6Ranges.find(({ network, prefixLength }) => ipv6InRange(address, network, prefixLength));
  if (match) {
    return match.addressClass;
  }
  return ipv6InRange(address, GLOBAL_UNICAST.network, GLOBAL_UNICAST.prefixLength) ? 'public' : 'reserved';
}

function normaliseAddress(ip: string): string {
  const unbracketed = ip.trim().replace(/^\[(.*)\]$/, '$1');
  const zoneStart = unbracketed.indexOf('%');
  return (zoneStart === -1 ? unbracketed : unbracketed.slice(0, zoneStart)).toLowerCase();
}

function ipv4InRange(address: number, network: number, prefixLength: number): boolean {
  if (prefixLength === 0) {
    return true;
  }
  const shift = 32 - prefixLength;
  return address >>> shift === network >>> shift;
}

function ipv6InRange(address: bigint, network: bigint, prefixLength: number): boolean {
  const shift = BigInt(128 - prefixLength);
  return address >> shift === network >> shift;
}

// Callers pass only strings that node:net accepted as IPv4, i.e. four decimal octets.
function parseIpv4(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

// Callers pass only strings that node:net accepted as IPv6, so the structure is known to be valid.
function parseIpv6(address: string): bigint {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headGroups = expandGroups(head);
  const tailGroups = tail === undefined ? [] : expandGroups(tail);
  const zeroGroups = tail === undefined ? [] : new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeroGroups, ...tailGroups].reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function expandGroups(part: string): number[] {
  if (part === '') {
    return [];
  }
  return part.split(':').flatMap((group) => {
    if (group.includes('.')) {
      const ipv4 = parseIpv4(group);
      return [ipv4 >>> 16, ipv4 & 0xffff];
    }
    return [parseInt(group, 16)];
  });
}
