import * as z from 'zod';
import { Email, Instant, Language } from './common.ts';

export const MemberType = z.enum(['council', 'secretariat', 'advisory', 'network', 'associate']);
export type MemberType = z.infer<typeof MemberType>;

export const MemberStatus = z.enum(['active', 'disabled']);
export type MemberStatus = z.infer<typeof MemberStatus>;

export const Member = z.object({
  memberId: z.string().min(1),
  organisation: z.string().trim().min(1).max(300),
  type: MemberType,
  country: z.string().trim().min(2).max(100),
  language: Language.default('en'),
  senders: z.array(Email).min(1, 'at least one allowed sender address'),
  trusted: z.boolean().default(false),
  status: MemberStatus.default('active'),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Member = z.infer<typeof Member>;

export const NewMember = Member.pick({
  organisation: true,
  type: true,
  country: true,
  language: true,
  senders: true,
  trusted: true,
});
export type NewMember = z.input<typeof NewMember>;

/**
 * Only the fields given: built from the field schemas without their defaults, since `.partial()` keeps a
 * default (a patch of the name alone would otherwise reset `language` to en and `trusted` to false).
 */
export const MemberPatch = z
  .object({
    organisation: Member.shape.organisation,
    type: MemberType,
    country: Member.shape.country,
    language: Language,
    senders: Member.shape.senders,
    trusted: z.boolean(),
    status: MemberStatus,
  })
  .partial();
export type MemberPatch = z.input<typeof MemberPatch>;
