import type { HttpRequest } from './types.ts';
import { safeEqual } from '@switchboard/runtime';
import { HttpError } from './server.ts';

/** Throws 401 unless the request carries `Authorization: Bearer <token>` with the right token. */
export function requireBearer(request: HttpRequest, token: string): void {
  const header = request.headers.authorization;
  const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!safeEqual(presented, token)) throw new HttpError(401, 'missing or invalid bearer token');
}

/** Parses a JSON body or throws 400 with the parser's reason. */
export function jsonBody(request: HttpRequest): unknown {
  try {
    return JSON.parse(request.rawBody.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `body is not valid JSON: ${(error as Error).message}`);
  }
}
