import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer, json, pathParams, requireBearer } from '../src/index.ts';

describe('HttpServer', () => {
  const server = new HttpServer({ maxBodyBytes: 64 });
  let base = '';
  beforeAll(async () => {
    server.mount([
      { method: 'POST', path: '/echo', handle: async (r) => json(200, { bytes: r.rawBody.length }) },
      { method: 'GET', path: '/items/:id', handle: async (r) => json(200, pathParams('/items/:id', r.path)) },
      { method: 'GET', path: '/secret', handle: async (r) => (requireBearer(r, 'tok-123456'), json(200, { ok: true })) },
      { method: 'GET', path: '/boom', handle: async () => { throw new Error('kaput'); } },
      { method: 'POST', path: '/raw', node: (_req, res) => res.end('raw ok') },
    ]);
    base = await server.listen();
  });
  afterAll(() => server.close());

  it('reads bodies under the cap and refuses larger ones with 413', async () => {
    expect(await (await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(10) })).json()).toEqual({ bytes: 10 });
    expect((await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(100) })).status).toBe(413);
  });
  it('refuses a declared body over the cap before a raw (library) handler reads it', async () => {
    expect(await (await fetch(`${base}/raw`, { method: 'POST', body: 'x' })).text()).toBe('raw ok');
    expect((await fetch(`${base}/raw`, { method: 'POST', body: 'x'.repeat(100) })).status).toBe(413);
  });
  it('routes path parameters, 404s unknown paths and 405s wrong methods', async () => {
    expect(await (await fetch(`${base}/items/a%20b`)).json()).toEqual({ id: 'a b' });
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/echo`)).status).toBe(405);
  });
  it('checks bearer tokens', async () => {
    expect((await fetch(`${base}/secret`)).status).toBe(401);
    expect((await fetch(`${base}/secret`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${base}/secret`, { headers: { authorization: 'Bearer tok-123456' } })).status).toBe(200);
  });
  it('answers 500 without leaking the error', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('kaput');
  });
});
