import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: {
    type: string;
    timestamp: string;
    data: { id: string; seq: string; customerId: string | null; data: Record<string, unknown> };
  };
}

/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests. Paths choose behaviour:
 * `/ok/*` answers 204, `/fail/*` 500, `/hang/*` never answers, `/redirect/*` 302 to /ok,
 * `/poison/*` 500 for payloads with `poison: true`, 204 otherwise.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server: http.Server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => receiver.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    server.keepAliveTimeout = 1000;
    const receiver = new WebhookReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  at(prefix: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path.startsWith(prefix));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const path = req.url ?? '/';
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const record = () => this.received.push({ path, headers, body, json: JSON.parse(body) });
    if (path.startsWith('/hang')) {
      this.hanging.add(res);
      return;
    }
    record();
    if (path.startsWith('/fail')) res.writeHead(500).end('boom');
    else if (path.startsWith('/redirect'))
      res.writeHead(302, { location: this.url('/ok/redirected') }).end();
    else if (path.startsWith('/poison') && body.includes('"poison":true'))
      res.writeHead(500).end('cannot digest');
    else res.writeHead(204).end();
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
