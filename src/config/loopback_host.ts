/**
 * Whether a listening address only accepts connections from this machine. The HTTP API needs a bearer token on any
 * other address (the config's cross-field rule and the API server both ask this), so the answer is conservative:
 * only addresses that are loopback by definition count, never a host name that merely resolves to one today.
 */
import { isIP } from 'node:net';

/** The loopback addresses, as a phrase for messages. */
export const LOOPBACK_HOSTS_DESCRIPTION = '127.0.0.0/8, ::1 or localhost';

/**
 * True for `localhost`, an IPv4 address in 127.0.0.0/8, `::1` (in any spelling, bracketed or not), and an
 * IPv4-mapped IPv6 address of 127.0.0.0/8 (`::ffff:127.0.0.1`). False for everything else, including the wildcard
 * addresses (`0.0.0.0`, `::`) and other host names.
 */
export function isLoopbackHost(host: string): boolean {
  const trimmed = host.trim().toLowerCase();
  // `localhost.` is the same name written fully qualified.
  if (trimmed === 'localhost' || trimmed === 'localhost.') return true;
  const address = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  switch (isIP(address)) {
    case 4:
      return address.split('.')[0] === '127';
    case 6:
      return isLoopbackIpv6(address);
    default:
      return false;
  }
}

function isLoopbackIpv6(address: string): boolean {
  const groups = expandIpv6(address);
  if (groups === undefined) return false;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return true;
  // ::ffff:a.b.c.d carries an IPv4 address; the first byte of it is the high byte of group 6.
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  return mapped && groups[6] !== undefined && groups[6] >> 8 === 127;
}

/** The eight 16-bit groups of a valid IPv6 address (checked by `isIP` before), or undefined if it has a zone. */
function expandIpv6(address: string): number[] | undefined {
  if (address.includes('%')) return undefined;
  let text = address;
  // A dotted IPv4 tail stands for the last two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.length === 8 ? groups.map((g) => Number.parseInt(g, 16)) : undefined;
}
