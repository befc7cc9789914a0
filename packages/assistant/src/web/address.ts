import { BlockList, isIP } from "node:net";

// Addresses a server-side fetch must not reach unless the operator allows them: this machine, private networks,
// link-local (where cloud metadata services answer, 169.254.169.254), and every other range IANA's IPv4 and IPv6
// special-purpose address registries mark as not globally reachable. Checked in this order; the first kind whose
// list holds the address names it. A few global anycast services inside the refused blocks (192.0.0.9/32, the
// 6a44 relay in 192.88.99.0/24, 2001:1::1/128 and friends in 2001::/23) are refused with them: no page lives there.
type Kind = "cloud metadata" | "loopback" | "link-local" | "private" | "reserved";
const ranges: Record<Kind, { v4: Array<[string, number]>; v6: Array<[string, number]> }> = {
  "cloud metadata": {
    v4: [
      ["169.254.169.254", 32],
      ["100.100.100.200", 32],
    ], // most clouds; Alibaba Cloud
    v6: [["fd00:ec2::254", 128]], // AWS over IPv6
  },
  loopback: { v4: [["127.0.0.0", 8]], v6: [["::1", 128]] },
  "link-local": { v4: [["169.254.0.0", 16]], v6: [["fe80::", 10]] },
  private: {
    v4: [
      ["10.0.0.0", 8],
      ["172.16.0.0", 12],
      ["192.168.0.0", 16],
    ],
    v6: [
      ["fc00::", 7],
      ["fec0::", 10],
    ], // unique local; site-local (deprecated, still routed by some stacks)
  },
  reserved: {
    v4: [
      ["0.0.0.0", 8], // "this network"
      ["100.64.0.0", 10], // carrier-grade NAT
      ["192.0.0.0", 24], // IETF protocol assignments
      ["192.0.2.0", 24], // documentation (TEST-NET-1)
      ["192.88.99.0", 24], // 6to4 relay anycast, deprecated
      ["198.18.0.0", 15], // benchmarking
      ["198.51.100.0", 24], // documentation (TEST-NET-2)
      ["203.0.113.0", 24], // documentation (TEST-NET-3)
      ["224.0.0.0", 4], // multicast
      ["240.0.0.0", 4], // reserved, and the limited broadcast 255.255.255.255
    ],
    v6: [
      ["::", 128], // unspecified
      ["100::", 64], // discard-only
      ["2001::", 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID, …
      ["2001:db8::", 32], // documentation
      ["3fff::", 20], // documentation
      ["5f00::", 16], // SRv6 SIDs
      ["ff00::", 8], // multicast
      // Only 2000::/3 is allocated for global unicast; the rest of the space is reserved, so it is refused whole
      // (this holds ::/96 IPv4-compatible, ::ffff:0:0:0/96 IPv4-translated, 64:ff9b:1::/48 local-use NAT64, …).
      ["::", 3],
      ["4000::", 2],
      ["8000::", 1],
    ],
  },
};
// One list per kind and family: a BlockList matches an IPv4 address against IPv6 rules as ::ffff:a.b.c.d, which
// ::/3 holds.
const lists = Object.entries(ranges).map(([kind, r]) => {
  const [v4, v6] = [new BlockList(), new BlockList()];
  for (const [net, prefix] of r.v4) v4.addSubnet(net, prefix, "ipv4");
  for (const [net, prefix] of r.v6) v6.addSubnet(net, prefix, "ipv6");
  return { kind: kind as Kind, ipv4: v4, ipv6: v6 };
});

/** An IPv6 address (already checked by isIP) as its eight 16-bit groups; a zone (`%eth0`) is dropped. */
function groups(address: string): number[] {
  const [head, tail] = address.replace(/%.*$/, "").split("::") as [string, string | undefined];
  const part = (s: string | undefined) =>
    !s
      ? []
      : s
          .split(":")
          .flatMap((g) =>
            g.includes(".") ? ((b) => [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!])(g.split(".").map(Number)) : [parseInt(g, 16)],
          );
  const [h, t] = [part(head), part(tail)];
  return tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

// IPv6 forms that carry an IPv4 address. Those a packet really reaches that IPv4 address through (mapped, the
// well-known NAT64 prefix, 6to4) are judged by it; the others are refused whatever they carry, but name it.
const embeddings: Array<{ prefix: number[]; at: number; reachable: boolean }> = [
  { prefix: [0, 0, 0, 0, 0, 0xffff], at: 6, reachable: true }, // ::ffff:0:0/96, IPv4-mapped
  { prefix: [0x64, 0xff9b, 0, 0, 0, 0], at: 6, reachable: true }, // 64:ff9b::/96, NAT64
  { prefix: [0x2002], at: 1, reachable: true }, // 2002::/16, 6to4
  { prefix: [0, 0, 0, 0, 0xffff, 0], at: 6, reachable: false }, // ::ffff:0:0:0/96, IPv4-translated
  { prefix: [0x64, 0xff9b, 1], at: 6, reachable: false }, // 64:ff9b:1::/48, local-use NAT64 (IPv4 usually last)
  { prefix: [0, 0, 0, 0, 0, 0], at: 6, reachable: false }, // ::/96, IPv4-compatible (deprecated)
];

function embeddedIPv4(g: number[]): { v4: string; reachable: boolean } | undefined {
  const e = embeddings.find((e) => e.prefix.every((x, i) => g[i] === x));
  // ::/96 also holds :: and ::1, which are themselves, not IPv4 addresses.
  if (!e || (e.prefix.every((x) => x === 0) && g[6] === 0)) return undefined;
  const [hi, lo] = [g[e.at]!, g[e.at + 1]!];
  return { v4: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, reachable: e.reachable };
}

const kindOf = (ip: string, family: "ipv4" | "ipv6") => lists.find((l) => l[family].check(ip, family))?.kind;

/** Why an address may not be fetched from (a few words), or undefined when it may. */
export function addressRefusal(address: string): string | undefined {
  const family = isIP(address);
  if (!family) return `${address} is not an IP address`;
  if (family === 4) {
    const kind = kindOf(address, "ipv4");
    return kind && `${address} is a ${kind} address`;
  }
  const g = groups(address);
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1, or ::ffff:7f00:1 as URLs normalise it) is that IPv4 address.
  const inner = embeddedIPv4(g);
  if (inner) {
    const kind = kindOf(inner.v4, "ipv4");
    if (kind) return `${address} is a ${kind} address (IPv4 ${inner.v4} inside IPv6)`;
    if (inner.reachable) return undefined;
    return `${address} is a reserved address (it carries IPv4 ${inner.v4} in a form that is not globally routed)`;
  }
  const kind = kindOf(g.map((x) => x.toString(16)).join(":"), "ipv6");
  return kind && `${address} is a ${kind} address`;
}
