import { apiTokenFields, configSpec, field } from '@switchboard/runtime';

export const apiConfig = configSpec('connector-api', {
  ...apiTokenFields,
  API_MAX_BODY_BYTES: field.int(256 * 1024, 1_024, 16 * 1024 * 1024).describe('Largest body `POST /api/v1/messages` accepts; larger gets 413.').advanced(),
});
