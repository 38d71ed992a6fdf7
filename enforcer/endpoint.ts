import { isIP } from 'node:net';

/** host:port as written in the enforcer file; IPv6 in brackets. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** The host is an IP address (destinations must be: the kernel matches by address). */
  readonly isIp: boolean;
}

export function parseEndpoint(text: string): Endpoint | undefined {
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]\s]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const host = m[1]!;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  if (text.startsWith('[') && isIP(host) !== 6) return undefined;
  return { host, port, isIp: isIP(host) !== 0 };
}

export function formatEndpoint(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
