import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must never reach unless KEHU_WEBHOOK_ALLOW_PRIVATE=true: loopback,
 * private ranges, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast, reserved,
 * and their IPv6 counterparts (including IPv4-mapped forms).
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

export type UrlProblem = { code: string; message: string };

/** Syntax and scheme rules, without DNS. */
export function checkWebhookUrlSyntax(
  raw: string,
  allowPrivate: boolean,
): { url?: URL; problem?: UrlProblem } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: { code: 'invalid_url', message: 'url is not an absolute URL' } };
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return { problem: { code: 'https_required', message: 'url must use https' } };
  }
  if (url.username || url.password) {
    return {
      problem: {
        code: 'credentials_in_url',
        message: 'url must not carry credentials; sign with the webhook secret',
      },
    };
  }
  return { url };
}

/**
 * Full check before a subscription is stored: scheme, then every address the host resolves
 * to. The sender checks again at connect time (DNS can change after this).
 */
export async function checkWebhookUrl(
  raw: string,
  allowPrivate: boolean,
): Promise<UrlProblem | undefined> {
  const { url, problem } = checkWebhookUrlSyntax(raw, allowPrivate);
  if (problem) return problem;
  if (allowPrivate) return undefined;
  const host = url!.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return { code: 'unresolvable_host', message: `url host "${host}" does not resolve` };
    }
  }
  if (!addresses.length || addresses.some(isPrivateAddress)) {
    return {
      code: 'private_address',
      message: 'url must not point at a private, loopback or link-local address',
    };
  }
  return undefined;
}
