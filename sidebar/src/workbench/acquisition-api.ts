import { contentReportSchema, customerReportSchema } from '../../../shared/analytics.js';
import { channelListSchema, channelReportSchema, channelSchema } from '../../../shared/channels.js';
import {
  customerFlagSchema,
  dataQualityRulesSchema,
  flagListSchema,
  scanResultSchema,
} from '../../../shared/data-quality.js';
import { targetsResponseSchema } from '../../../shared/targets.js';
import { api } from '../api/client.js';
import { withIssues } from './api.js';

/**
 * The workbench's calls for channels (渠道活码), targets, the customer and content reports and
 * data quality — answers checked against the shared/ schemas. Saves keep a 400's field issues.
 */

export interface RangeQuery {
  from: string;
  to: string;
  excludeFlagged: boolean;
}

const q = (r: RangeQuery) =>
  `from=${encodeURIComponent(r.from)}&to=${encodeURIComponent(r.to)}${r.excludeFlagged ? '&excludeFlagged=1' : ''}`;

export interface ChannelDraft {
  name: string;
  staffUserids: string[];
  tagIds: string[];
  welcomeText: string | null;
  /** yuan */
  cost: number;
}

export const acquisitionApi = {
  channels: async () => (await api.request('GET', '/api/channels', channelListSchema)).channels,
  createChannel: (draft: ChannelDraft) =>
    withIssues((c) => c.request('POST', '/api/channels', channelSchema, draft)),
  updateChannel: (id: number, draft: Partial<ChannelDraft>) =>
    withIssues((c) => c.request('PUT', `/api/channels/${id}`, channelSchema, draft)),
  deleteChannel: (id: number) => api.request('DELETE', `/api/channels/${id}`, null),
  /** the QR code from our own origin (`download` as an attachment) */
  qrUrl: (id: number, download = false) => `/api/channels/${id}/qr${download ? '?download=1' : ''}`,
  channelReport: (r: RangeQuery) => api.request('GET', `/api/reports/channels?${q(r)}`, channelReportSchema),

  targets: (month: string, excludeFlagged: boolean) =>
    api.request(
      'GET',
      `/api/targets?month=${encodeURIComponent(month)}${excludeFlagged ? '&excludeFlagged=1' : ''}`,
      targetsResponseSchema,
    ),
  putTargets: (body: unknown) =>
    withIssues((c) => c.request('PUT', '/api/targets', targetsResponseSchema, body)),

  customerReport: (r: RangeQuery & { granularity?: 'week' | 'month' | undefined }) =>
    api.request(
      'GET',
      `/api/reports/customers?${q(r)}${r.granularity ? `&granularity=${r.granularity}` : ''}`,
      customerReportSchema,
    ),
  contentReport: (r: RangeQuery) => api.request('GET', `/api/reports/content?${q(r)}`, contentReportSchema),

  flags: (query: { flag?: string; status: string; before?: number }) => {
    const params = new URLSearchParams({ status: query.status, limit: '200' });
    if (query.flag) params.set('flag', query.flag);
    if (query.before) params.set('before', String(query.before));
    return api.request('GET', `/api/data-quality/flags?${params}`, flagListSchema);
  },
  clearFlag: (id: number) => api.request('POST', `/api/data-quality/flags/${id}/clear`, customerFlagSchema),
  scan: () => api.request('POST', '/api/data-quality/scan', scanResultSchema),
  rules: () => api.request('GET', '/api/data-quality/rules', dataQualityRulesSchema),
  putRules: (patch: unknown) =>
    withIssues((c) => c.request('PUT', '/api/data-quality/rules', dataQualityRulesSchema, patch)),
};
