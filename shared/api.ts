import { z } from 'zod';

/** The error body every API answers with (design §4, one error path). */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const ROLES = ['staff', 'supervisor', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const meSchema = z.object({ userid: z.string(), name: z.string(), role: roleSchema });
export type Me = z.infer<typeof meSchema>;
