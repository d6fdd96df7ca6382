import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse, HttpRoute, UpgradeRoute } from './types.ts';
import { createLogger, SwitchboardError, type Logger } from '@switchboard/runtime';

export interface HttpServerOptions {
  host?: string;
  port?: number;
  /** Default body cap for buffered routes; a route may set its own. */
  maxBodyBytes?: number;
  /** A request that has not finished within this is answered 408 and closed. */
  requestTimeoutMs?: number;
  logger?: Logger;
}

/** An answer with a status; a 429 or 5xx may succeed later, any other status will not. */
export class HttpError extends SwitchboardError {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, { retriable: status === 429 || status >= 500 });
  }
}

export function json(status: number, body: unknown, headers: Record<string, string | string[]> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/**
 * One HTTP server for the gateway and every connector's webhooks. Buffered routes get their body
 * read here, under a size cap (413 past it), so signature checks see the exact raw bytes.
 */
export class HttpServer {
  private readonly routes: HttpRoute[] = [];
  private readonly upgrades: UpgradeRoute[] = [];
  private readonly server: Server;
  private readonly logger: Logger;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: HttpServerOptions = {}) {
    this.logger = options.logger ?? createLogger('http');
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.requestTimeout = options.requestTimeoutMs ?? 30_000;
    this.server.headersTimeout = Math.min(this.server.requestTimeout, 20_000);
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const route = this.upgrades.find((u) => u.path === path);
      if (route) route.handleUpgrade(req, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
  }

  mount(routes: readonly HttpRoute[] = [], upgrades: readonly UpgradeRoute[] = []): void {
    this.routes.push(...routes);
    this.upgrades.push(...upgrades);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  get nodeServer(): Server {
    return this.server;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private match(method: string, path: string): { route?: HttpRoute; allowed: string[] } {
    const candidates = this.routes.filter((r) => (r.path.endsWith('/*') ? path.startsWith(r.path.slice(0, -1)) || path === r.path.slice(0, -2) : r.path === path || matchesParams(r.path, path)));
    return { route: candidates.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET')), allowed: candidates.map((r) => r.method) };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const { route, allowed } = this.match(method, url.pathname);
    try {
      if (!route) {
        if (allowed.length > 0) throw new HttpError(405, `method ${method} not allowed; use ${allowed.join(', ')}`);
        throw new HttpError(404, `no route for ${url.pathname}`);
      }
      if ('node' in route) {
        // The library reads the body itself; a declared length over the cap is refused before it does.
        const limit = route.maxBodyBytes ?? this.maxBodyBytes;
        if (Number(req.headers['content-length'] ?? 0) > limit) throw new HttpError(413, `body larger than ${limit} bytes`);
        return route.node(req, res);
      }
      const rawBody = await readBody(req, route.maxBodyBytes ?? this.maxBodyBytes);
      const request: HttpRequest = { method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, remoteAddress: req.socket.remoteAddress };
      send(res, await route.handle(request));
    } catch (error) {
      if (error instanceof HttpError) send(res, json(error.status, { error: error.message }));
      else {
        this.logger.error('request failed', { method, path: url.pathname, error });
        send(res, json(500, { error: 'internal error' }));
      }
    }
  }
}

/** `/api/v1/tickets/:id` matches `/api/v1/tickets/abc`; see `pathParams` to read the values. */
function matchesParams(pattern: string, path: string): boolean {
  if (!pattern.includes(':')) return false;
  return pathParams(pattern, path) !== undefined;
}

export function pathParams(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (!g) return undefined;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return undefined;
  }
  return params;
}

function send(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent) return;
  res.writeHead(response.status, { 'cache-control': 'no-store', ...response.headers });
  res.end(response.body);
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(new HttpError(413, `body larger than ${limit} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `body larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
