import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { field } from './config.ts';

/** The repository root: embedded data lives under `<repo>/.data` whichever folder a service starts in. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Variables several components read, declared once here and spread into each component's spec. */
export const httpFields = {
  HOST: field.text('127.0.0.1').describe('Address the HTTP server (API, webhooks, web chat, metrics) listens on.'),
  PORT: field.int(8080, 0, 65_535).describe('HTTP port (0: any free port).'),
};

export const dataDirFields = {
  SWITCHBOARD_DATA_DIR: field
    .text(resolve(REPO_ROOT, '.data'))
    .documentDefault('<repo>/.data')
    .describe("Folder of local state: the embedded PGlite database, connectors' files (attachment bytes, journals)."),
};

export const apiTokenFields = {
  SWITCHBOARD_API_TOKEN: field
    .pattern(/^\S{12,}$/, 'at least 12 characters, no spaces')
    .secret()
    .describe('The machine token of the message API (`POST /api/v1/messages`, for systems without a connector of their own). People sign in as themselves; scripts use personal API tokens. Unset: a random token is generated at start and printed once in the ready banner.'),
};
