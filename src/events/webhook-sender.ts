import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from './webhook-url-guard';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** Timeouts and connection failures: the receiver is down or hanging, not merely refusing. */
  unreachable: boolean;
}

/** Re-checks the resolved address at connect time, closing the DNS-rebinding hole. */
function guardedLookup(): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked || !addresses.length) {
        return callback(
          Object.assign(new Error(`refused private address for ${hostname}`), { code: 'EPRIVATE' }),
        );
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;
}

/**
 * POSTs one signed delivery. Never follows redirects (a 3xx is a failure, logged: following
 * would let a receiver bounce us to an internal address); 2xx is success; everything else,
 * including a timeout, is a failure for the retry schedule.
 */
export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly lookup?: LookupFunction;
  private readonly targets = new Map<string, { secure: boolean; options: http.RequestOptions }>();

  constructor(allowPrivate: boolean, maxSockets = 256) {
    this.lookup = allowPrivate ? undefined : guardedLookup();
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(request: SendRequest): Promise<SendResult> {
    const started = process.hrtime.bigint();
    const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, latencyMs: elapsed() });
      };
      const target = this.target(request.url);
      if (!target)
        return finish({ ok: false, statusCode: null, error: 'invalid url', unreachable: false });
      const body = Buffer.from(request.body);
      const req = (target.secure ? https : http).request({
        ...target.options,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'Kehu-Webhooks/1',
        },
      });
      // One deadline for the whole exchange (connect, send, response), not per socket event.
      const timer = setTimeout(() => {
        finish({
          ok: false,
          statusCode: null,
          error: `timeout after ${request.timeoutMs} ms`,
          unreachable: true,
        });
        req.destroy();
      }, request.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        finish({
          ok: false,
          statusCode: null,
          error: error.code ? `${error.code}: ${error.message}` : error.message,
          unreachable: true,
        });
      });
      req.on('response', (res) => {
        const code = res.statusCode ?? 0;
        res.resume(); // the body is not used; drain it so the socket returns to the pool
        res.on('end', () => {
          if (code >= 200 && code < 300)
            finish({ ok: true, statusCode: code, error: null, unreachable: false });
          else if (code >= 300 && code < 400) {
            finish({
              ok: false,
              statusCode: code,
              error: `redirect to ${String(res.headers.location ?? '?')} not followed`,
              unreachable: false,
            });
          } else
            finish({
              ok: false,
              statusCode: code,
              error: `receiver answered ${code}`,
              unreachable: false,
            });
        });
        res.on('error', (error) =>
          finish({ ok: false, statusCode: code, error: error.message, unreachable: true }),
        );
      });
      req.end(body);
    });
  }

  /** Request options per URL, parsed once (a batch sends many deliveries to few URLs). */
  private target(raw: string): { secure: boolean; options: http.RequestOptions } | undefined {
    let target = this.targets.get(raw);
    if (target) return target;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return undefined;
    }
    const secure = url.protocol === 'https:';
    target = {
      secure,
      options: {
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        auth: url.username
          ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
          : undefined,
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        lookup: this.lookup,
      },
    };
    if (this.targets.size >= 1000) this.targets.clear();
    this.targets.set(raw, target);
    return target;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
