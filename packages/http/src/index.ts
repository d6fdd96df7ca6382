export * from './server.ts';
export * from './auth.ts';
export type * from './types.ts';
export { bundleBrowserScripts } from './bundle.ts';
export { describeIssues, parseBody } from './validation.ts';
export { cookiesOf, setCookie, type CookieOptions } from './cookies.ts';
