import type { Delivery } from './callbacks.js';
import type {
  BehaviorInput,
  ConfigInput,
  CustomerInput,
  FaultInput,
  FireAddContactInput,
  FireChatUpdateInput,
  FireDelContactInput,
  FireDelFollowUserInput,
  FireEditContactInput,
  FireRawInput,
  FireTagInput,
  FireTextInput,
  FireTransferFailInput,
  GenerateCustomersInput,
  GroupInput,
  MassStatusInput,
  RedeliverInput,
  StaffInput,
  TagGroupInput,
} from './schemas.js';
import type {
  AppMessageRecord,
  ContactWay,
  DeliveryRecord,
  MarkTagRecord,
  RemarkRecord,
  RobotMessageRecord,
  WelcomeMessageRecord,
} from './state.js';
import type { Staff } from './store/contacts.js';
import type { GroupMember } from './store/groups.js';
import type { MassSend, StaffTask } from './store/mass-sends.js';

export interface SimulatorConfig {
  url: string;
  corpId: string;
  corpSecret: string;
  agentId: number;
  token: string;
  encodingAesKey: string;
  callbackUrl: string | null;
  autoLoginUserid: string | null;
}

export interface WireTagGroup {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
  deleted: boolean;
  tag: Array<{ id: string; name: string; create_time: number; order: number; deleted: boolean }>;
}

export interface WireCustomer {
  external_contact: Record<string, unknown> & { external_userid: string; name: string };
  follow_user: Array<
    Record<string, unknown> & { userid: string; tags: Array<{ tag_id: string; tag_name: string }> }
  >;
}

export interface SimGroup {
  chat_id: string;
  name: string;
  owner: string;
  notice: string;
  create_time: number;
  admins: string[];
  member_version: string;
  members: GroupMember[];
}

export type FireResult<T = unknown> = Delivery & T;

export class SimulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`simulator control call failed with HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

/** Typed client for the simulator's control API (`/sim/...`). */
export class SimulatorClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/sim${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    const text = await res.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) throw new SimulatorControlError(res.status, parsed);
    return parsed as T;
  }

  reset = () => this.call<{ ok: true }>('POST', '/reset');
  config = () => this.call<SimulatorConfig>('GET', '/config');
  setConfig = (input: ConfigInput) => this.call<SimulatorConfig>('PUT', '/config', input);
  setCallbackUrl = (callbackUrl: string | null) => this.setConfig({ callbackUrl });
  setAutoLogin = (autoLoginUserid: string | null) => this.setConfig({ autoLoginUserid });

  now = async () => (await this.call<{ now: number }>('GET', '/clock')).now;
  advanceClock = async (seconds: number) =>
    (await this.call<{ now: number }>('POST', '/clock/advance', { seconds })).now;

  addStaff = async (...staff: StaffInput[]) =>
    (await this.call<{ staff: Staff[] }>('POST', '/staff', { staff })).staff;
  listStaff = async () => (await this.call<{ staff: Staff[] }>('GET', '/staff')).staff;

  addCustomer = async (customer: CustomerInput) => {
    const [id] = await this.addCustomers([customer]);
    return id as string;
  };
  addCustomers = async (customers: CustomerInput[]) =>
    (await this.call<{ external_userids: string[] }>('POST', '/customers', { customers })).external_userids;
  generateCustomers = async (input: GenerateCustomersInput) =>
    (await this.call<{ count: number; external_userids: string[] }>('POST', '/customers/generate', input))
      .external_userids;
  getCustomer = (externalUserId: string) =>
    this.call<WireCustomer>('GET', `/customers/${encodeURIComponent(externalUserId)}`);

  upsertTagGroups = async (...groups: TagGroupInput[]) =>
    (await this.call<{ tag_group: WireTagGroup[] }>('POST', '/tag-groups', { groups })).tag_group;
  listTagGroups = async () =>
    (await this.call<{ tag_group: WireTagGroup[] }>('GET', '/tag-groups')).tag_group;

  addGroup = async (group: GroupInput) => {
    const [id] = await this.addGroups([group]);
    return id as string;
  };
  addGroups = async (groups: GroupInput[]) =>
    (await this.call<{ chat_ids: string[] }>('POST', '/groups', { groups })).chat_ids;
  getGroup = (chatId: string) => this.call<SimGroup>('GET', `/groups/${encodeURIComponent(chatId)}`);

  setBehavior = (...data: BehaviorInput[]) => this.call<{ ok: true }>('POST', '/behavior', { data });

  injectFault = (fault: FaultInput) => this.call<{ ok: true }>('POST', '/faults', fault);
  clearFaults = () => this.call<{ ok: true }>('DELETE', '/faults');
  expireTokens = async () => (await this.call<{ expired: number }>('POST', '/tokens/expire')).expired;
  counters = () => this.call<{ gettoken: number; calls: Record<string, number> }>('GET', '/counters');

  issueOAuthCode = async (userid: string) =>
    (await this.call<{ code: string }>('POST', '/oauth/code', { userid })).code;
  tickets = () => this.call<{ jsapi_ticket: string; agent_ticket: string }>('GET', '/tickets');

  setMassSendStatus = async (msgid: string, input: MassStatusInput) =>
    (await this.call<{ changed: number }>('POST', `/mass-sends/${encodeURIComponent(msgid)}/status`, input))
      .changed;

  verifyUrl = (echo?: string) =>
    this.call<{ ok: boolean; status: number | null; body: string }>(
      'POST',
      '/verify-url',
      echo === undefined ? {} : { echo },
    );

  contactWays = async () => (await this.call<{ items: ContactWay[] }>('GET', '/contact-ways')).items;
  deliveries = async () => (await this.call<{ items: DeliveryRecord[] }>('GET', '/deliveries')).items;

  readonly fire = {
    addExternalContact: (input: FireAddContactInput) =>
      this.call<FireResult<{ userid: string; external_userid: string; welcome_code?: string }>>(
        'POST',
        '/fire/add-external-contact',
        input,
      ),
    addHalfExternalContact: (input: FireAddContactInput) =>
      this.call<FireResult<{ userid: string; external_userid: string; welcome_code?: string }>>(
        'POST',
        '/fire/add-half-external-contact',
        input,
      ),
    editExternalContact: (input: FireEditContactInput) =>
      this.call<FireResult>('POST', '/fire/edit-external-contact', input),
    delExternalContact: (input: FireDelContactInput) =>
      this.call<FireResult>('POST', '/fire/del-external-contact', input),
    delFollowUser: (input: FireDelFollowUserInput) =>
      this.call<FireResult>('POST', '/fire/del-follow-user', input),
    transferFail: (input: FireTransferFailInput) =>
      this.call<FireResult>('POST', '/fire/transfer-fail', input),
    createChat: (input: GroupInput) =>
      this.call<FireResult<{ chat_id: string; member_version: string }>>('POST', '/fire/chat-create', input),
    updateChat: (input: FireChatUpdateInput) =>
      this.call<FireResult<{ chat_id: string; member_version: string }>>('POST', '/fire/chat-update', input),
    dismissChat: (chatId: string) =>
      this.call<FireResult<{ chat_id: string }>>('POST', '/fire/chat-dismiss', { chat_id: chatId }),
    tag: (input: FireTagInput) => this.call<FireResult<{ id: string }>>('POST', '/fire/tag', input),
    textMessage: (input: FireTextInput) =>
      this.call<FireResult<{ msg_id: string }>>('POST', '/fire/text-message', input),
    raw: (input: FireRawInput) => this.call<FireResult>('POST', '/fire/raw', input),
    redeliver: (input: RedeliverInput = {}) => this.call<FireResult>('POST', '/fire/redeliver', input),
  };

  readonly sent = {
    welcomeMessages: async () =>
      (await this.call<{ items: WelcomeMessageRecord[] }>('GET', '/sent/welcome-messages')).items,
    appMessages: async () =>
      (await this.call<{ items: AppMessageRecord[] }>('GET', '/sent/app-messages')).items,
    massSends: async () =>
      (await this.call<{ items: Array<MassSend & { tasks: StaffTask[] }> }>('GET', '/sent/mass-sends')).items,
    markTags: async () => (await this.call<{ items: MarkTagRecord[] }>('GET', '/sent/mark-tags')).items,
    remarks: async () => (await this.call<{ items: RemarkRecord[] }>('GET', '/sent/remarks')).items,
    robotMessages: async () =>
      (await this.call<{ items: RobotMessageRecord[] }>('GET', '/sent/robot-messages')).items,
  };
}
