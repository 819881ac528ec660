import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, string | T, string | T>;

export type LifecycleStage = 'new' | 'active' | 'silent' | 'churn_risk' | 'lost';
export type FollowStatus = 'active' | 'deleted_by_staff' | 'deleted_by_customer' | 'half';
export type OrderStatus = 'paid' | 'refunded' | 'cancelled';
export type TaskStatus = 'pending' | 'sent' | 'done' | 'skipped' | 'failed' | 'expired';
export type DeliveryMode = 'staff_task' | 'mass_send';

export interface StaffTable {
  userid: string;
  name: Generated<string>;
  avatar: string | null;
  department_ids: Generated<number[]>;
  has_contact_permission: Generated<boolean>;
  active: Generated<boolean>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface CustomersTable {
  external_userid: string;
  name: Generated<string>;
  avatar: string | null;
  type: number | null;
  gender: number | null;
  unionid: string | null;
  corp_name: string | null;
  wecom_synced_at: Timestamp | null;
  total_spent_fen: Generated<number>;
  order_count: Generated<number>;
  refund_count: Generated<number>;
  refunded_fen: Generated<number>;
  first_order_at: Timestamp | null;
  last_order_at: Timestamp | null;
  last_interaction_at: Timestamp | null;
  /** behaviour per Asia/Shanghai day, for the churn scan (repositories/customer-activity.ts) */
  activity_days: string[] | null;
  activity_counts: number[] | null;
  member_center_days: string[] | null;
  lifecycle_stage: Generated<LifecycleStage>;
  rfm_segment: string | null;
  intent_score: Generated<number>;
  intent_updated_at: Timestamp | null;
  channel_state: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface FollowRelationsTable {
  external_userid: string;
  userid: string;
  remark: Generated<string>;
  description: Generated<string>;
  remark_mobiles: Generated<string[]>;
  add_way: number | null;
  state: string | null;
  added_at: DefaultedTimestamp;
  status: Generated<FollowStatus>;
  deleted_at: Timestamp | null;
  deleted_by: 'staff' | 'customer' | null;
  last_event_at: Timestamp | null;
  updated_at: DefaultedTimestamp;
}

export interface TagGroupsTable {
  group_id: string;
  name: string;
  sort_order: Generated<number>;
  deleted: Generated<boolean>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface TagsTable {
  tag_id: string;
  group_id: string;
  name: string;
  sort_order: Generated<number>;
  deleted: Generated<boolean>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface CustomerTagsTable {
  external_userid: string;
  userid: string;
  tag_id: string;
  created_at: DefaultedTimestamp;
}

export interface GroupChatsTable {
  chat_id: string;
  name: Generated<string>;
  owner: string | null;
  notice: Generated<string>;
  created_at_wecom: Timestamp | null;
  member_version: string | null;
  status: Generated<'active' | 'dismissed'>;
  dismissed_at: Timestamp | null;
  updated_at: DefaultedTimestamp;
}

export interface GroupMembersTable {
  chat_id: string;
  member_id: string;
  member_type: number;
  name: Generated<string>;
  group_nickname: Generated<string>;
  join_time: Timestamp | null;
  join_scene: number | null;
  invitor: string | null;
  left_at: Timestamp | null;
}

export interface OrdersTable {
  order_id: string;
  external_userid: string;
  amount_fen: number;
  status: OrderStatus;
  paid_at: Timestamp;
  refunded_at: Timestamp | null;
  coupon_id: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface OrderItemsTable {
  order_id: string;
  line_no: number;
  sku: string;
  name: string;
  qty: number;
  price_fen: number;
}

export interface CouponsTable {
  coupon_id: string;
  external_userid: string;
  name: string;
  value_fen: number;
  issued_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface BehaviorEventsTable {
  event_id: string;
  external_userid: string;
  kind: string;
  occurred_at: Timestamp;
  data: Json;
  created_at: DefaultedTimestamp;
}

export interface TimelineTable {
  id: Generated<number>;
  external_userid: string;
  kind: string;
  actor: string;
  occurred_at: Timestamp;
  data: Json;
  dedupe_key: string;
  created_at: DefaultedTimestamp;
}

export interface NotesTable {
  id: Generated<number>;
  external_userid: string;
  userid: string;
  text: string;
  follow_status: string | null;
  remind_at: Timestamp | null;
  reminded_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface SopRulesTable {
  id: Generated<number>;
  name: string;
  trigger: string;
  enabled: Generated<boolean>;
  params: Json;
  audience: Json;
  variants: Json<unknown[]>;
  delivery_mode: Generated<DeliveryMode>;
  due_minutes: Generated<number>;
  cooldown_days: Generated<number>;
  schedule: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface SopTasksTable {
  id: Generated<number>;
  rule_id: number;
  external_userid: string;
  userid: string;
  window_key: string;
  variant: Generated<number>;
  message: string;
  status: Generated<TaskStatus>;
  due_at: Timestamp;
  created_at: DefaultedTimestamp;
  notified_at: Timestamp | null;
  overdue_reminded_at: Timestamp | null;
  sent_at: Timestamp | null;
  done_at: Timestamp | null;
  skipped_reason: string | null;
  mass_msgid: string | null;
  converted_order_id: string | null;
  converted_at: Timestamp | null;
  revenue_fen: Generated<number>;
  delivery_mode: Generated<DeliveryMode>;
  reason: string | null;
  failure_reason: string | null;
  responded_at: Timestamp | null;
  dispatch_token: string | null;
  dispatch_claimed_at: Timestamp | null;
}

export interface SopSkipsTable {
  id: Generated<number>;
  rule_id: number;
  external_userid: string;
  window_key: string;
  reason: string;
  created_at: DefaultedTimestamp;
  variant: Generated<number>;
  userid: string | null;
}

export interface SopStaffDigestsTable {
  userid: string;
  last_digest_at: Timestamp;
}

export interface StaffBehaviorDailyTable {
  userid: string;
  /** Asia/Shanghai day, 'YYYY-MM-DD' */
  day: ColumnType<string, string, string>;
  chat_cnt: Generated<number>;
  message_cnt: Generated<number>;
  reply_percentage: number | null;
  avg_reply_time: number | null;
  negative_feedback_cnt: Generated<number>;
  new_apply_cnt: Generated<number>;
  new_contact_cnt: Generated<number>;
  synced_at: DefaultedTimestamp;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: DefaultedTimestamp;
}

export interface QuickRepliesTable {
  id: Generated<number>;
  group_name: Generated<string>;
  title: string;
  kind: 'text' | 'link' | 'image';
  content: Generated<string>;
  link_url: string | null;
  link_title: string | null;
  link_image_url: string | null;
  variables: Generated<string[]>;
  sort_order: Generated<number>;
  times_sent: Generated<number>;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface ChannelsTable {
  id: Generated<number>;
  name: string;
  state: string;
  config_id: string | null;
  qr_code: string | null;
  way_type: Generated<number>;
  staff_userids: Generated<string[]>;
  tag_ids: Generated<string[]>;
  welcome_text: string | null;
  cost_fen: Generated<number>;
  created_by: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  deleted_at: Timestamp | null;
}

export interface TargetsTable {
  month: string;
  scope: 'team' | 'staff';
  userid: string | null;
  metric: string;
  value: number;
  updated_by: string | null;
  updated_at: DefaultedTimestamp;
}

export interface CustomerFlagsTable {
  id: Generated<number>;
  external_userid: string;
  flag: string;
  detection_key: Generated<string>;
  detail: Json;
  detected_at: Timestamp;
  cleared_at: Timestamp | null;
  cleared_by: string | null;
}

export interface Database {
  staff: StaffTable;
  customers: CustomersTable;
  follow_relations: FollowRelationsTable;
  tag_groups: TagGroupsTable;
  tags: TagsTable;
  customer_tags: CustomerTagsTable;
  group_chats: GroupChatsTable;
  group_members: GroupMembersTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  coupons: CouponsTable;
  behavior_events: BehaviorEventsTable;
  timeline: TimelineTable;
  notes: NotesTable;
  sop_rules: SopRulesTable;
  sop_tasks: SopTasksTable;
  sop_skips: SopSkipsTable;
  sop_staff_digests: SopStaffDigestsTable;
  staff_behavior_daily: StaffBehaviorDailyTable;
  settings: SettingsTable;
  quick_replies: QuickRepliesTable;
  channels: ChannelsTable;
  targets: TargetsTable;
  customer_flags: CustomerFlagsTable;
}

export type Customer = Selectable<CustomersTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type CustomerUpdate = Updateable<CustomersTable>;
export type FollowRelation = Selectable<FollowRelationsTable>;
export type Order = Selectable<OrdersTable>;
export type Coupon = Selectable<CouponsTable>;
export type TimelineRow = Selectable<TimelineTable>;
export type NewTimelineRow = Insertable<TimelineTable>;
export type SopRuleRow = Selectable<SopRulesTable>;
export type SopTaskRow = Selectable<SopTasksTable>;
