import { BlockList, isIP } from "node:net";

// Addresses a server-side fetch must not reach unless the operator allows them: this machine, private networks,
// link-local (where cloud metadata services answer, 169.254.169.254), and the other special ranges.
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
  ["64:ff9b::", 96], // NAT64, which can reach IPv4 inside
] as const)
  blocked.addSubnet(net, prefix, "ipv6");

function mappedIPv4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why an address may not be fetched from (a few words), or undefined when it may. */
export function addressRefusal(address: string): string | undefined {
  const family = isIP(address);
  if (!family) return `${address} is not an IP address`;
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1, or ::ffff:7f00:1 as URLs normalise it) is that IPv4 address.
  const mapped = family === 6 ? mappedIPv4(address) : undefined;
  const ip = mapped ?? address;
  const v = mapped ? "ipv4" : family === 4 ? "ipv4" : "ipv6";
  if (!blocked.check(ip, v)) return undefined;
  if (ip === "169.254.169.254" || ip === "fd00:ec2::254") return `${address} is a cloud metadata address`;
  if (/^127\./.test(ip) || ip === "::1") return `${address} is a loopback address`;
  if (/^169\.254\./.test(ip) || /^fe[89ab]/i.test(ip)) return `${address} is a link-local address`;
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip) || /^f[cd]/i.test(ip)) return `${address} is a private address`;
  return `${address} is a reserved address`;
}
