import { z } from 'zod';
import { apiErrorSchema, meSchema } from '../../../shared/api.js';
import {
  customer360Schema,
  customerTimelineSchema,
  groupViewSchema,
  jssdkSignaturesSchema,
  type NoteInput,
  noteSchema,
  type TagEdit,
  tagCatalogueSchema,
  tagEditResultSchema,
} from '../../../shared/customer.js';
import { quickReplyListSchema, renderedQuickReplyListSchema } from '../../../shared/quick-replies.js';
import { sopTaskSchema, taskListSchema } from '../../../shared/sop.js';

/**
 * The sidebar's one way to the server. Every answer is checked against the schema the server
 * answers with (shared/); `{ error: { code, message } }` becomes an ApiError; a 401 sends the
 * browser through `/auth/login?redirect=<where it is now>` and comes back to the same view.
 */

/** What went wrong, as the server said it (`code`, `message`) or as we saw it (network, bad answer). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** the server's code (`forbidden`, `wecom_error`, …) or `network` / `bad_response` */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when no answer arrived */
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  fetch?: FetchLike;
  /** prefix for every path; '' = same origin */
  baseUrl?: string;
  /** where the browser is now (path + query), for the login round trip */
  currentPath?: () => string;
  /** sends the browser to the login URL; default `location.assign` */
  navigate?: (url: string) => void;
  /** a response already requested for this GET path (public/prefetch.js), taken once */
  prefetched?: (path: string) => Promise<Response> | undefined;
}

/** Takes a response public/prefetch.js started for this path, at most once. */
export function takePrefetched(path: string): Promise<Response> | undefined {
  const early = (globalThis as { __sidebarPrefetch?: Record<string, Promise<Response> | undefined> })
    .__sidebarPrefetch;
  const res = early?.[path];
  if (early && res) delete early[path];
  return res;
}

export function loginUrl(redirect: string): string {
  return `/auth/login?redirect=${encodeURIComponent(redirect)}`;
}

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const seg = (s: string | number) => encodeURIComponent(String(s));

/** The page's location, typed structurally so this module also compiles (and is tested) without the DOM lib. */
const browser = () =>
  (globalThis as unknown as { location: { pathname: string; search: string; assign(url: string): void } })
    .location;

export function createApiClient(options: ApiClientOptions = {}) {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const base = options.baseUrl ?? '';
  const currentPath = options.currentPath ?? (() => `${browser().pathname}${browser().search}`);
  const navigate = options.navigate ?? ((url: string) => browser().assign(url));
  const prefetched = options.prefetched ?? (() => undefined);
  let redirecting = false;

  async function request<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: S | null,
    body?: unknown,
  ): Promise<z.output<S>> {
    let res: Response;
    try {
      const early = method === 'GET' ? prefetched(path) : undefined;
      res = await (early ??
        doFetch(`${base}${path}`, {
          method,
          // same-origin cookie; the browser adds Origin to mutations, which the server checks
          credentials: 'same-origin',
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        }));
    } catch {
      throw new ApiError('network', '网络连接失败，请检查网络后重试', 0);
    }

    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }

    if (!res.ok) {
      const parsed = apiErrorSchema.safeParse(json);
      const error = parsed.success
        ? new ApiError(
            parsed.data.error.code,
            parsed.data.error.message,
            res.status,
            parsed.data.error.requestId,
          )
        : new ApiError(
            res.status === 401 ? 'unauthorized' : 'http_error',
            `服务器返回 ${res.status}`,
            res.status,
          );
      if (res.status === 401 && !redirecting) {
        redirecting = true;
        navigate(loginUrl(currentPath()));
      }
      throw error;
    }

    if (schema === null) return undefined as z.output<S>;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues[0];
      throw new ApiError(
        'bad_response',
        `服务器返回的数据格式不对（${method} ${path.split('?')[0]}${where ? `：${where.path.join('.')} ${where.message}` : ''}）`,
        res.status,
      );
    }
    return parsed.data;
  }

  return {
    request,
    me: () => request('GET', '/api/me', meSchema),

    customer: (externalUserId: string) =>
      request('GET', `/api/customers/${seg(externalUserId)}`, customer360Schema),
    timeline: (externalUserId: string, page: { before?: string | null; limit?: number } = {}) =>
      request(
        'GET',
        withQuery(`/api/customers/${seg(externalUserId)}/timeline`, {
          before: page.before,
          limit: page.limit,
        }),
        customerTimelineSchema,
      ),
    editTags: (externalUserId: string, change: TagEdit) =>
      request('PUT', `/api/customers/${seg(externalUserId)}/tags`, tagEditResultSchema, change),
    addNote: (externalUserId: string, note: NoteInput) =>
      request('POST', `/api/customers/${seg(externalUserId)}/notes`, noteSchema, note),
    customerQuickReplies: (externalUserId: string, filter: { q?: string; group?: string } = {}) =>
      request(
        'GET',
        withQuery(`/api/customers/${seg(externalUserId)}/quick-replies`, filter),
        renderedQuickReplyListSchema,
      ),

    tagCatalogue: () => request('GET', '/api/tags', tagCatalogueSchema),
    group: (chatId: string) => request('GET', `/api/groups/${seg(chatId)}`, groupViewSchema),
    quickReplies: (filter: { q?: string; group?: string } = {}) =>
      request('GET', withQuery('/api/quick-replies', filter), quickReplyListSchema),
    quickReplySent: (id: number) =>
      request('POST', `/api/quick-replies/${seg(id)}/sent`, z.object({ timesSent: z.number().int() })),
    jssdkSignatures: (url: string) =>
      request('POST', '/api/jssdk/signatures', jssdkSignaturesSchema, { url }),

    tasks: (
      query: {
        scope?: 'mine' | 'team';
        status?: string;
        externalUserid?: string;
        before?: number;
        limit?: number;
      } = {},
    ) => request('GET', withQuery('/api/tasks', query), taskListSchema),
    task: (id: number) => request('GET', `/api/tasks/${seg(id)}`, sopTaskSchema),
    markTaskSent: (id: number) => request('POST', `/api/tasks/${seg(id)}/sent`, sopTaskSchema),
    skipTask: (id: number, reason: string) =>
      request('POST', `/api/tasks/${seg(id)}/skip`, sopTaskSchema, { reason }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The app's client (same origin), using what public/prefetch.js already asked for. */
export const api: ApiClient = createApiClient({ prefetched: takePrefetched });
