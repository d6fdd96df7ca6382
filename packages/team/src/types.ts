import { z } from 'zod';
import { Role } from './roles.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  teamIds: string[];
  capacity: number;
  disabled: boolean;
  /** Signs in with a password (else only through the identity provider). */
  hasPassword: boolean;
  lockedUntil?: string;
  createdAt: string;
  lastSeenAt?: string;
}

export interface Team {
  id: string;
  name: string;
  /** Tickets of these categories are the team's. */
  categories: string[];
  memberIds: string[];
}

export const NewUser = z
  .object({
    email: z.email().transform((e) => e.toLowerCase()),
    name: z.string().trim().min(1).max(200),
    role: Role,
    password: z.string().min(12, 'at least 12 characters').max(256).optional(),
    teamIds: z.array(z.string().min(1)).max(50).default([]),
    capacity: z.number().int().min(1).max(500).default(5),
  })
  .strict();
export type NewUser = z.input<typeof NewUser>;

export const UserPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: Role.optional(),
    password: z.string().min(12, 'at least 12 characters').max(256).optional(),
    teamIds: z.array(z.string().min(1)).max(50).optional(),
    capacity: z.number().int().min(1).max(500).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type UserPatch = z.infer<typeof UserPatch>;

export const NewTeam = z
  .object({
    name: z.string().trim().min(1).max(100),
    categories: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).max(50).default([]),
  })
  .strict();
export type NewTeam = z.input<typeof NewTeam>;

export type SignInResult =
  | { outcome: 'signed-in'; user: User }
  | { outcome: 'wrong' }
  /** Too many wrong passwords: refused until `until`, even with the right one. */
  | { outcome: 'locked'; until: string }
  | { outcome: 'disabled' };

export interface AuditEntry {
  id: string;
  at: string;
  actorId?: string;
  actorEmail?: string;
  action: string;
  target?: string;
  details: Record<string, unknown>;
  ip?: string;
  userAgent?: string;
}

/** Who did something, from where: every audited action names it. */
export interface Actor {
  id?: string;
  email?: string;
  ip?: string;
  userAgent?: string;
}
