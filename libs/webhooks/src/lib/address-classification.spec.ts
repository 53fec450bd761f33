import { AddressClass, classifyAddress, isPublicAddress } from './address-classification';

const CASES: readonly (readonly [ip: string, addressClass: AddressClass])[] = [
  // IPv4 public
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.216.34', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['192.0.1.1', 'public'],
  ['198.20.0.1', 'public'],
  ['223.255.255.255', 'public'],
  // IPv4 special-purpose
  ['0.0.0.0', 'reserved'],
  ['0.255.255.255', 'reserved'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['224.0.0.1', 'reserved'],
  ['239.255.255.250', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  // IPv6 public
  ['2606:4700:4700::1111', 'public'],
  ['2001:4860:4860::8888', 'public'],
  ['2a00:1450:4001:80b::200e', 'public'],
  // IPv6 special-purpose
  ['::', 'reserved'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['ff02::1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['100::1', 'reserved'],
  ['2002:c000:0204::1', 'reserved'],
  ['64:ff9b::8.8.8.8', 'reserved'],
  ['64:ff9b:1::1', 'reserved'],
  ['fec0::1', 'reserved'],
  ['4000::1', 'reserved'],
  // Tunnels that carry an IPv4 address: teredo (2001::/32) and 6to4 (2002::/16)
  ['2001::1', 'reserved'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
  ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['2002:7f00:1::1', 'reserved'],
  ['2002:a00:1::1', 'reserved'],
  ['2001:1::1', 'reserved'],
  // IPv4 carried in IPv6: classified by the IPv4 address
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::FFFF:7F00:0001', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:0.0.0.0', 'reserved'],
  ['::ffff:8.8.8.8', 'public'],
  ['::ffff:808:808', 'public'],
  ['::ffff:0:127.0.0.1', 'loopback'],
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::8.8.8.8', 'public'],
  // URL host form
  ['[::1]', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
];

describe('classifyAddress', () => {
  it.each(CASES)('%s is %s', (ip, addressClass) => {
    expect(classifyAddress(ip)).toBe(addressClass);
  });

  it.each(['localhost', '', '127.1', '0177.0.0.1', '1.2.3.256', '::ffff:1.2.3', 'gggg::1', '[127.0.0.1'])(
    'throws for %j, which is not an IP address',
    (input) => {
      expect(() => classifyAddress(input)).toThrow(TypeError);
    },
  );
});

describe('isPublicAddress', () => {
  it.each(CASES)('%s', (ip, addressClass) => {
    expect(isPublicAddress(ip)).toBe(addressClass === 'public');
  });

  it.each(['localhost', '', 'example.com', '127.1'])('is false for %j, which is not an IP address', (input) => {
    expect(isPublicAddress(input)).toBe(false);
  });
});
