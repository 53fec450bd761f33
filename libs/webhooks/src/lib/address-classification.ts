import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * How an address may be used as a webhook target. `loopback` and `private` can each be allowed by policy
 * (`disable_loopback` / `disable_private_ips`); `link-local` (including cloud metadata 169.254.169.254) and `reserved`
 * (unspecified, documentation, multicast, tunnelling and other special-purpose ranges) should never be.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

/**
 * ipaddr.js names the special-purpose ranges (it is kept up to date with the IANA registries); this maps its names
 * onto what a webhook may target. Tunnels and translators (teredo, 6to4, NAT64) carry an IPv4 address a gateway may
 * forward to, so they are reserved. AS112 and AMT are ordinary anycast services on the internet.
 */
const IPV4_CLASSES: Readonly<Record<string, AddressClass>> = {
  unicast: 'public',
  as112: 'public',
  amt: 'public',
  loopback: 'loopback',
  private: 'private',
  // Carrier-grade NAT shared space: not routable on the internet, so as sensitive as RFC 1918.
  carrierGradeNat: 'private',
  linkLocal: 'link-local',
};

const IPV6_CLASSES: Readonly<Record<string, AddressClass>> = {
  as112v6: 'public',
  loopback: 'loopback',
  uniqueLocal: 'private',
  linkLocal: 'link-local',
};

// Only 2000::/3 is allocated as global unicast; a unicast address outside it is treated as reserved.
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];

/**
 * Classifies a literal IPv4 or IPv6 address (brackets and a `%zone` suffix are tolerated). IPv4-mapped,
 * -translated and -compatible IPv6 forms are classified by the IPv4 address they carry.
 * Throws a TypeError when the input is not an IP address.
 */
export function classifyAddress(ip: string): AddressClass {
  const address = normaliseAddress(ip);
  switch (isIP(address)) {
    case 4:
      return classifyIpv4(ipaddr.IPv4.parse(address));
    case 6:
      return classifyIpv6(ipaddr.IPv6.parse(address));
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

function classifyIpv4(address: ipaddr.IPv4): AddressClass {
  // unspecified ("this network": on Linux 0.0.0.0 reaches the local host), broadcast, multicast, reserved.
  return IPV4_CLASSES[address.range()] ?? 'reserved';
}

function classifyIpv6(address: ipaddr.IPv6): AddressClass {
  const range = address.range();
  // IPv4-mapped and -translated (SIIT) forms: the host stack connects to the IPv4 address they carry.
  if (range === 'ipv4Mapped' || range === 'rfc6145') return classifyIpv4(embeddedIpv4(address));
  if (range === 'unicast') {
    // IPv4-compatible (::a.b.c.d, deprecated) is not named by ipaddr.js; it reaches that IPv4 address too.
    if (address.parts.slice(0, 6).every((part) => part === 0)) return classifyIpv4(embeddedIpv4(address));
    return address.match(GLOBAL_UNICAST) ? 'public' : 'reserved';
  }
  // unspecified (like 0.0.0.0, :: reaches the local host), multicast, teredo, 6to4, NAT64, documentation, ...
  return IPV6_CLASSES[range] ?? 'reserved';
}

function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const [high, low] = address.parts.slice(6);
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function normaliseAddress(ip: string): string {
  const unbracketed = ip.trim().replace(/^\[(.*)\]$/, '$1');
  const zoneStart = unbracketed.indexOf('%');
  return (zoneStart === -1 ? unbracketed : unbracketed.slice(0, zoneStart)).toLowerCase();
}
