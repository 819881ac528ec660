import type { BehaviorValues } from './behavior.js';
import { Clock } from './clock.js';
import type { SimulatorOptions } from './options.js';
import { ContactStore } from './store/contacts.js';
import { CredentialStore } from './store/credentials.js';
import { GroupStore } from './store/groups.js';
import { MassSendStore } from './store/mass-sends.js';
import { TagStore } from './store/tags.js';

export interface ContactWay {
  config_id: string;
  type: number;
  scene: number;
  style?: number;
  remark: string;
  skip_verify: boolean;
  state: string;
  user: string[];
  party: number[];
  is_temp: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  conclusions?: unknown;
  qr_code: string;
  created_at: number;
}

export interface WelcomeMessageRecord {
  welcome_code: string;
  userid: string;
  external_userid: string;
  text?: { content: string };
  attachments: unknown[];
  /** simulator-clock unix ms */
  receivedAt: number;
  msAfterEvent: number;
}

export interface AppMessageRecord {
  msgid: string;
  touser: string[];
  invaliduser: string[];
  msgtype: string;
  agentid: number;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface MarkTagRecord {
  userid: string;
  external_userid: string;
  add_tag: string[];
  remove_tag: string[];
  receivedAt: number;
}

export interface RemarkRecord {
  userid: string;
  external_userid: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface RobotMessageRecord {
  key: string;
  msgtype: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface DeliveryRecord {
  id: number;
  url: string;
  query: { msg_signature: string; timestamp: string; nonce: string };
  /** the encrypted envelope exactly as POSTed */
  body: string;
  plaintext: string;
  status: number | null;
  responseBody: string;
  error?: string;
  at: number;
}

export interface Fault {
  errcode: number;
  remaining: number;
  /** calls still let through before this fault answers */
  after: number;
  errmsg?: string;
  httpStatus?: number;
  delayMs?: number;
}

export class SimulatorState {
  readonly clock = new Clock();
  readonly config: SimulatorOptions;
  callbackUrl: string | undefined;
  autoLoginUserid: string | undefined;

  readonly contacts = new ContactStore();
  readonly tags = new TagStore();
  readonly groups = new GroupStore((userid) => this.contacts.staff.has(userid));
  readonly massSends = new MassSendStore();
  readonly credentials = new CredentialStore();
  readonly contactWays = new Map<string, ContactWay>();
  readonly behaviorOverrides = new Map<string, Partial<BehaviorValues>>();

  readonly welcomeMessages: WelcomeMessageRecord[] = [];
  readonly appMessages: AppMessageRecord[] = [];
  readonly markTags: MarkTagRecord[] = [];
  readonly remarks: RemarkRecord[] = [];
  readonly robotMessages: RobotMessageRecord[] = [];
  readonly deliveries: DeliveryRecord[] = [];

  readonly callCounts = new Map<string, number>();
  readonly faults = new Map<string, Fault[]>();
  readonly robotWindows = new Map<string, number[]>();

  constructor(config: SimulatorOptions) {
    this.config = config;
    this.callbackUrl = config.callbackUrl;
  }

  /** Forgets everything but the configuration (the callback URL stays). */
  reset(): void {
    this.clock.reset();
    this.autoLoginUserid = undefined;
    this.contacts.clear();
    this.tags.clear();
    this.groups.clear();
    this.massSends.clear();
    this.credentials.clear();
    this.contactWays.clear();
    this.behaviorOverrides.clear();
    for (const list of [
      this.welcomeMessages,
      this.appMessages,
      this.markTags,
      this.remarks,
      this.robotMessages,
      this.deliveries,
    ]) {
      list.length = 0;
    }
    this.callCounts.clear();
    this.faults.clear();
    this.robotWindows.clear();
  }

  countCall(path: string): void {
    this.callCounts.set(path, (this.callCounts.get(path) ?? 0) + 1);
  }

  addFault(path: string, fault: Fault): void {
    const queue = this.faults.get(path) ?? [];
    queue.push(fault);
    this.faults.set(path, queue);
  }

  takeFault(path: string): Fault | undefined {
    const queue = this.faults.get(path);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    if (fault.after > 0) {
      fault.after -= 1;
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) queue.shift();
    if (queue.length === 0) this.faults.delete(path);
    return fault;
  }
}

/** `/cgi-bin/externalcontact/get` and `externalcontact/get` name the same API. */
export function normalizeApiPath(path: string): string {
  return path
    .replace(/^\/+/, '')
    .replace(/^cgi-bin\//, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
}
