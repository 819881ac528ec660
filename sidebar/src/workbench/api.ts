import { z } from 'zod';
import { apiErrorSchema } from '../../../shared/api.js';
import {
  growthReportSchema,
  type ReportRange,
  scanResultSchema,
  sopPressureSchema,
  sopReportSchema,
  sopReportSettingsSchema,
  sopRuleSchema,
  taskListSchema,
  taskReportSchema,
} from '../../../shared/sop.js';
import { audienceOptionsSchema, remindResultSchema } from '../../../shared/workbench.js';
import { type ApiClient, ApiError, api, createApiClient } from '../api/client.js';
import type { Issue } from './logic/issues.js';

/**
 * The workbench's calls, over the sidebar's API client (same error handling, 401 → login, answers
 * checked against shared/ schemas). Saving a rule or settings also keeps the 400 answer's
 * `issues`, which the form shows next to each field.
 */

/** A 400 with field issues. */
export class ValidationError extends ApiError {
  constructor(
    cause: ApiError,
    readonly issues: Issue[],
  ) {
    super(cause.code, cause.message, cause.status, cause.requestId);
  }
}

/** Runs calls on a client that keeps a 400 answer's field issues and throws them as a ValidationError. */
export async function withIssues<T>(run: (client: ApiClient) => Promise<T>): Promise<T> {
  let issues: Issue[] | undefined;
  const client = createApiClient({
    fetch: async (input, init) => {
      const res = await globalThis.fetch(input, init);
      if (res.status === 400) {
        const body = apiErrorSchema.safeParse(
          await res
            .clone()
            .json()
            .catch(() => undefined),
        );
        issues = body.success ? body.data.error.issues : undefined;
      }
      return res;
    },
  });
  try {
    return await run(client);
  } catch (err) {
    if (err instanceof ApiError && issues?.length) throw new ValidationError(err, issues);
    throw err;
  }
}

const q = (r: ReportRange) => `from=${encodeURIComponent(r.from)}&to=${encodeURIComponent(r.to)}`;
const ruleListSchema = z.object({ rules: z.array(sopRuleSchema) });
export const sopSettingsSchema = z.object({ pressure: sopPressureSchema, reports: sopReportSettingsSchema });
export type SopSettings = z.infer<typeof sopSettingsSchema>;

export const workbenchApi = {
  taskReport: (r: ReportRange) => api.request('GET', `/api/reports/tasks?${q(r)}`, taskReportSchema),
  sopReport: (r: ReportRange) => api.request('GET', `/api/reports/sop?${q(r)}`, sopReportSchema),
  growthReport: (r: ReportRange) => api.request('GET', `/api/reports/growth?${q(r)}`, growthReportSchema),

  /** the team's tasks of one salesperson, e.g. `status: 'overdue'` */
  staffTasks: (userid: string, status: string, limit = 200) =>
    api.request(
      'GET',
      `/api/tasks?scope=team&status=${encodeURIComponent(status)}&userid=${encodeURIComponent(userid)}&limit=${limit}`,
      taskListSchema,
    ),
  remind: (userid: string) => api.request('POST', '/api/workbench/remind', remindResultSchema, { userid }),

  rules: async () => (await api.request('GET', '/api/sop-rules', ruleListSchema)).rules,
  rule: (id: number) => api.request('GET', `/api/sop-rules/${id}`, sopRuleSchema),
  createRule: (draft: unknown) =>
    withIssues((c) => c.request('POST', '/api/sop-rules', sopRuleSchema, draft)),
  updateRule: (id: number, patch: unknown) =>
    withIssues((c) => c.request('PUT', `/api/sop-rules/${id}`, sopRuleSchema, patch)),
  runRule: (id: number) => api.request('POST', `/api/sop-rules/${id}/run`, scanResultSchema),

  settings: () => api.request('GET', '/api/sop-settings', sopSettingsSchema),
  putSettings: (patch: Partial<SopSettings>) =>
    withIssues((c) => c.request('PUT', '/api/sop-settings', sopSettingsSchema, patch)),

  audienceOptions: () => api.request('GET', '/api/workbench/audience-options', audienceOptionsSchema),
  tagCatalogue: () => api.tagCatalogue(),
  me: () => api.me(),
};
