import { z } from 'zod';

// Control-API request bodies. WeCom's own field names (snake_case) for WeCom things; camelCase for
// the simulator's own switches.

const id = z.string().min(1).max(128);
const unixSeconds = z.number().int().nonnegative();

export const staffInput = z.object({
  userid: z.string().min(1).max(64),
  name: z.string().optional(),
  department: z.array(z.number().int()).optional(),
  position: z.string().optional(),
  mobile: z.string().optional(),
  gender: z.enum(['0', '1', '2']).optional(),
  email: z.string().optional(),
  avatar: z.string().optional(),
  hasContactPermission: z.boolean().optional(),
});
export const staffBody = z.object({ staff: z.array(staffInput).min(1) });

export const followInput = z.object({
  userid: id,
  remark: z.string().optional(),
  description: z.string().optional(),
  createtime: unixSeconds.optional(),
  add_way: z.number().int().optional(),
  state: z.string().optional(),
  tag_ids: z.array(id).optional(),
  remark_corp_name: z.string().optional(),
  remark_mobiles: z.array(z.string()).optional(),
  oper_userid: z.string().optional(),
});

export const customerProfileInput = z.object({
  external_userid: id.optional(),
  name: z.string().optional(),
  avatar: z.string().optional(),
  type: z.union([z.literal(1), z.literal(2)]).optional(),
  gender: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  unionid: z.string().optional(),
  corp_name: z.string().optional(),
  corp_full_name: z.string().optional(),
  position: z.string().optional(),
});
export const customerInput = customerProfileInput.extend({ follow_users: z.array(followInput).optional() });
export const customersBody = z.object({ customers: z.array(customerInput).min(1) });

export const generateCustomersBody = z.object({
  count: z.number().int().min(1).max(2_000_000),
  /** each generated customer is followed by userids[i % userids.length], or by all when followAll */
  userids: z.array(id).min(1),
  followAll: z.boolean().optional(),
  namePrefix: z.string().optional(),
  tag_ids: z.array(id).optional(),
  state: z.string().optional(),
  createtime: unixSeconds.optional(),
});

export const tagGroupInput = z.object({
  group_id: id.optional(),
  group_name: z.string().min(1),
  order: z.number().int().optional(),
  create_time: unixSeconds.optional(),
  tags: z
    .array(
      z.object({
        id: id.optional(),
        name: z.string().min(1),
        order: z.number().int().optional(),
        create_time: unixSeconds.optional(),
      }),
    )
    .default([]),
});
export const tagGroupsBody = z.object({ groups: z.array(tagGroupInput).min(1) });

export const groupMemberInput = z.object({
  userid: id,
  /** 1 staff, 2 external; default: 1 when the userid is a staff member */
  type: z.union([z.literal(1), z.literal(2)]).optional(),
  join_time: unixSeconds.optional(),
  join_scene: z.number().int().optional(),
  invitor: z.string().optional(),
  group_nickname: z.string().optional(),
  name: z.string().optional(),
  unionid: z.string().optional(),
});
export const groupInput = z.object({
  chat_id: id.optional(),
  name: z.string().optional(),
  owner: id,
  notice: z.string().optional(),
  create_time: unixSeconds.optional(),
  admin_list: z.array(id).optional(),
  members: z.array(groupMemberInput).default([]),
});
export const groupsBody = z.object({ groups: z.array(groupInput).min(1) });

export const behaviorInput = z.object({
  userid: id,
  /** `YYYY-MM-DD` (China time) or the day's stat_time in unix seconds */
  date: z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), unixSeconds]),
  chat_cnt: z.number().int().optional(),
  message_cnt: z.number().int().optional(),
  reply_percentage: z.number().optional(),
  avg_reply_time: z.number().int().optional(),
  negative_feedback_cnt: z.number().int().optional(),
  new_apply_cnt: z.number().int().optional(),
  new_contact_cnt: z.number().int().optional(),
});
export const behaviorBody = z.object({ data: z.array(behaviorInput).min(1) });

export const faultInput = z.object({
  /** e.g. `externalcontact/get`, `/cgi-bin/gettoken` or `webhook/send` */
  path: z.string().min(1),
  errcode: z.number().int(),
  count: z.number().int().min(1).default(1),
  /** let this many calls through first (a failure in the middle of paging) */
  after: z.number().int().min(0).default(0),
  errmsg: z.string().optional(),
  /** answer with this HTTP status (and no WeCom JSON) instead */
  httpStatus: z.number().int().min(100).max(599).optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
});

export const configBody = z.object({
  callbackUrl: z.string().url().nullable().optional(),
  autoLoginUserid: z.string().min(1).nullable().optional(),
});

export const clockBody = z.object({ seconds: z.number() });

export const massStatusBody = z.object({
  userid: id.optional(),
  external_userid: id.optional(),
  chat_id: id.optional(),
  /** 0 not sent, 1 sent, 2 not a friend, 3 already received another mass message */
  status: z.number().int().min(0).max(3),
  send_time: unixSeconds.optional(),
});

export const oauthCodeBody = z.object({ userid: id });

export const fireAddContactBody = z.object({
  userid: id.optional(),
  external_userid: id.optional(),
  customer: customerProfileInput.optional(),
  state: z.string().optional(),
  /** take State and (unless given) the userid from this contact way */
  config_id: id.optional(),
  /** issue a WelcomeCode (default true; WeCom omits it when they were already chatting) */
  welcomeCode: z.boolean().default(true),
  remark: z.string().optional(),
  description: z.string().optional(),
  tag_ids: z.array(id).optional(),
  add_way: z.number().int().optional(),
});

export const fireEditContactBody = z.object({
  userid: id,
  external_userid: id,
  remark: z.string().optional(),
  description: z.string().optional(),
  tag_ids: z.array(id).optional(),
});

export const fireDelContactBody = z.object({
  userid: id,
  external_userid: id,
  source: z.string().optional(),
});

export const fireDelFollowUserBody = z.object({ userid: id, external_userid: id });

export const fireTransferFailBody = z.object({
  userid: id,
  external_userid: id,
  fail_reason: z.enum(['customer_refused', 'customer_limit_exceed']),
});

export const fireChatUpdateBody = z.object({
  chat_id: id,
  update_detail: z.enum(['add_member', 'del_member', 'change_owner', 'change_name', 'change_notice']),
  members: z.array(groupMemberInput).optional(),
  userids: z.array(id).optional(),
  join_scene: z.number().int().optional(),
  quit_scene: z.number().int().optional(),
  owner: id.optional(),
  name: z.string().optional(),
  notice: z.string().optional(),
  /** how MemChangeList is written: `<Item>` elements (default) or one CDATA `a,b` string */
  memChangeListForm: z.enum(['items', 'csv']).default('items'),
  /** write LastMemVer/CurMemVer in CDATA */
  versionsInCdata: z.boolean().default(false),
});

export const fireChatDismissBody = z.object({ chat_id: id });

export const fireTagBody = z.object({
  change_type: z.enum(['create', 'update', 'delete', 'shuffle']),
  tag_type: z.enum(['tag', 'tag_group']),
  /** the tag or group for update/delete/shuffle */
  id: id.optional(),
  /** create tag: the group to add it to */
  group_id: id.optional(),
  name: z.string().optional(),
  order: z.number().int().optional(),
  /** create tag_group: its tags */
  tags: z.array(z.object({ name: z.string().min(1), order: z.number().int().optional() })).optional(),
  strategy_id: z.number().int().optional(),
});

export const fireTextBody = z.object({ userid: id, content: z.string(), msg_id: z.string().optional() });

export const fireRawBody = z.object({
  xml: z.string().min(1),
  badSignature: z.boolean().optional(),
  /** encrypt with this receiveid instead of the corp id */
  receiveId: z.string().optional(),
  timestamp: z.string().optional(),
  nonce: z.string().optional(),
});

export const redeliverBody = z.object({
  deliveryId: z.number().int().optional(),
  /** true: the same query and body byte for byte; false: re-encrypted with a new timestamp and nonce */
  verbatim: z.boolean().default(false),
});

export const verifyUrlBody = z.object({ echo: z.string().optional() });

export type StaffInput = z.input<typeof staffInput>;
export type FollowInput = z.input<typeof followInput>;
export type CustomerProfileInput = z.input<typeof customerProfileInput>;
export type CustomerInput = z.input<typeof customerInput>;
export type GenerateCustomersInput = z.input<typeof generateCustomersBody>;
export type TagGroupInput = z.input<typeof tagGroupInput>;
export type GroupMemberInput = z.input<typeof groupMemberInput>;
export type GroupInput = z.input<typeof groupInput>;
export type BehaviorInput = z.input<typeof behaviorInput>;
export type FaultInput = z.input<typeof faultInput>;
export type ConfigInput = z.input<typeof configBody>;
export type MassStatusInput = z.input<typeof massStatusBody>;
export type FireAddContactInput = z.input<typeof fireAddContactBody>;
export type FireEditContactInput = z.input<typeof fireEditContactBody>;
export type FireDelContactInput = z.input<typeof fireDelContactBody>;
export type FireDelFollowUserInput = z.input<typeof fireDelFollowUserBody>;
export type FireTransferFailInput = z.input<typeof fireTransferFailBody>;
export type FireChatUpdateInput = z.input<typeof fireChatUpdateBody>;
export type FireTagInput = z.input<typeof fireTagBody>;
export type FireTextInput = z.input<typeof fireTextBody>;
export type FireRawInput = z.input<typeof fireRawBody>;
export type RedeliverInput = z.input<typeof redeliverBody>;
