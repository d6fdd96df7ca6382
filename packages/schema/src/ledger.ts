import { z } from 'zod';

const isoDateTime = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);

/**
 * One step of sending an outbound message once, whoever consumes it: a replica claims the id, then
 * records it sent (or releases the claim when the send failed). Read in log order, the first claim
 * that finds the id free wins; a later one wins only by naming the claim it takes over.
 */
export const LedgerEntry = z
  .object({
    schemaVersion: z.literal(1),
    namespace: nonEmpty.describe('Whose ids these are: the connector name.'),
    id: nonEmpty.describe('The outbound message id.'),
    kind: z.enum(['claim', 'sent', 'release']),
    token: nonEmpty.describe('The claim this entry is about (a claim names itself).'),
    instance: nonEmpty.describe('The process that wrote it.'),
    member: z.string().optional().describe("The writer's member id in the outbound consumer group: a claim of a member that left the group can be taken over."),
    supersedes: z.string().optional().describe('Claim only: the token of a claim it takes over (expired, or of a member gone).'),
    expiresAt: isoDateTime.optional().describe('Claim only: after this, another replica may take the claim over.'),
    source: z.object({ partition: z.number().int().nonnegative(), offset: z.string() }).describe('The outbound record this is about.'),
    externalId: z.string().optional().describe("Sent only: the channel's id of what was sent."),
    at: isoDateTime,
  })
  .describe('cs.connector.outbound-ledger.v1: claims and sends of outbound ids, so each is sent once across replicas.');
export type LedgerEntry = z.infer<typeof LedgerEntry>;
