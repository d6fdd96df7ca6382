import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** A request with its body already read (and size-checked) by the gateway. */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  remoteAddress: string | undefined;
}

export interface HttpResponse {
  status: number;
  /** A list sends the header once per value (Set-Cookie). */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export type HttpRoute =
  | {
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      /** Exact path, or a prefix ending in `/*`. */
      path: string;
      maxBodyBytes?: number;
      handle(request: HttpRequest): Promise<HttpResponse>;
    }
  | {
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      path: string;
      /** Checked against the declared Content-Length before the library sees the request. */
      maxBodyBytes?: number;
      /** For libraries that read the request themselves (Bolt's receiver). */
      node(request: IncomingMessage, response: ServerResponse): void;
    };

export interface UpgradeRoute {
  path: string;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}
