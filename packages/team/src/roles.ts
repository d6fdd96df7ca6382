import { z } from 'zod';

export const ROLES = ['admin', 'supervisor', 'agent', 'analyst'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/**
 * What a person may do. Checked on the server for every request; the console only hides what a role
 * cannot use.
 */
export type Permission =
  /** Read tickets of one's own teams (or assigned to one). */
  | 'tickets.read'
  /** Read every queue. */
  | 'tickets.read.all'
  | 'tickets.reply'
  /** Status, priority, category corrections. */
  | 'tickets.update'
  | 'tickets.assign'
  | 'tickets.export'
  | 'audit.read'
  | 'users.manage'
  /** The pipeline panel, dead letters and their replay, channel health. */
  | 'channels.manage'
  | 'pipeline.read'
  /** Review agents' corrections before the classifier trains on them (exclude one, take it back). */
  | 'corrections.review'
  /**
   * Account actions on the customer's wallet (freezing a compromised account). Supervisors and admins
   * only: a freeze locks a customer out of their money, so the agent on the ticket escalates it.
   */
  | 'wallet.act';

const GRANTS: Record<Role, readonly Permission[]> = {
  agent: ['tickets.read', 'tickets.reply', 'tickets.update'],
  supervisor: ['tickets.read', 'tickets.read.all', 'tickets.reply', 'tickets.update', 'tickets.assign', 'tickets.export', 'audit.read', 'pipeline.read', 'wallet.act'],
  // Analysts read every queue, masked (see masking.ts), and export; they never act on a ticket.
  analyst: ['tickets.read', 'tickets.read.all', 'tickets.export', 'pipeline.read'],
  admin: ['tickets.read', 'tickets.read.all', 'tickets.reply', 'tickets.update', 'tickets.assign', 'tickets.export', 'audit.read', 'users.manage', 'channels.manage', 'pipeline.read', 'corrections.review', 'wallet.act'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** Analysts see what the router masked and, on top, customers' names, addresses and phone numbers masked. */
export function seesCustomerDetails(role: Role): boolean {
  return role !== 'analyst';
}

/** Every role's permissions, for the console to show only what a role can use (the server still checks each request). */
export function grants(): Record<Role, readonly Permission[]> {
  return GRANTS;
}
