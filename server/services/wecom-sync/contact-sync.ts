import { ACTOR_CUSTOMER } from '../../../shared/timeline.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import { endRelation, ensureStaff } from '../../repositories/contacts.js';
import { ensureCustomerStubs } from '../../repositories/customers.js';
import { getSetting } from '../../repositories/settings.js';
import { appendTimeline } from '../../repositories/timeline.js';
import type { ContactEvent } from '../../wecom/callback-events.js';
import type { TagsAddedHook } from '../customers/tag-timeline.js';
import { ContactBatchWriter, type ContactDetail, type DerivedRefresher } from './contact-batch.js';
import type { SyncWeComApi } from './wecom-port.js';
import { DEFAULT_WELCOME_TEMPLATE, renderTemplate, WELCOME_TEMPLATE_KEY } from './welcome-text.js';

/** How many times an end of relation waits (by job retry) for an add we have not stored yet. */
export const MISSING_RELATION_ATTEMPTS = 4;

/** Retryable: the relation an end event names is not stored yet. */
export class RelationNotYetKnown extends Error {
  override name = 'RelationNotYetKnown';
  constructor() {
    super('the relation this event ends is not stored yet; retrying after its add');
  }
}

/** WeCom accepts a WelcomeCode for 20 seconds after the event. */
const WELCOME_WINDOW_MS = 20_000;

export interface ContactLostNotifier {
  contactLost(input: { userid: string; externalUserid: string; eventTime: number }): Promise<void>;
}

/** Acquisition channels (services/channels): a channel's own welcome text, and what follows an add. */
export interface ChannelHooks {
  welcomeTextFor(state: string): Promise<string | undefined>;
  /** after an add through a channel code is stored; must not call WeCom itself (enqueue instead) */
  contactAdded(input: {
    externalUserid: string;
    userid: string;
    state: string;
    eventTime: number;
  }): Promise<void>;
}

interface Deps {
  db: Db;
  wecom: SyncWeComApi;
  clock: Clock;
  logger: Logger;
  notifier: ContactLostNotifier;
  insights: DerivedRefresher;
  channels?: ChannelHooks;
  /** the SOP engine's hook for tags sync newly added */
  tagsAdded?: TagsAddedHook;
  /** micro-batching of contact writes (tests widen the window to force events together) */
  batch?: { maxBatch?: number; concurrency?: number; lingerMs?: number };
}

/** Applies `change_external_contact` events: the customer, their relations, tags and timeline. */
export class ContactSyncService {
  readonly #writer: ContactBatchWriter;

  constructor(private readonly deps: Deps) {
    this.#writer = new ContactBatchWriter(deps);
  }

  /** How contact events were batched so far (batches, events, batches rewritten event by event). */
  get batchStats() {
    return this.#writer.stats;
  }

  /** `attempt` (1-based) lets an end that beat its add wait for it a few times, see below. */
  async handleEvent(e: ContactEvent, attempt = MISSING_RELATION_ATTEMPTS): Promise<void> {
    const at = new Date(e.CreateTime * 1000);
    switch (e.ChangeType) {
      case 'add_external_contact':
      case 'add_half_external_contact':
      case 'edit_external_contact':
        return this.#refreshContact(e, at);
      case 'del_external_contact':
        return this.#relationEnded(e, at, 'staff', attempt);
      case 'del_follow_user':
        return this.#relationEnded(e, at, 'customer', attempt);
      case 'transfer_fail':
        await ensureCustomerStubs(this.deps.db, [e.ExternalUserID]);
        await appendTimeline(this.deps.db, [
          {
            externalUserid: e.ExternalUserID,
            kind: 'contact_transferred',
            actor: 'system',
            occurredAt: at,
            data: { userid: e.UserID, failed: true, reason: e.FailReason ?? '' },
            dedupeKey: `contact_transferred:${e.ExternalUserID}:${e.UserID}:${e.CreateTime}:fail`,
          },
        ]);
    }
  }

  /**
   * Re-fetches the contact and stores WeCom's current view. Because the state comes from WeCom
   * rather than from the event, an `edit` processed before its `add` leaves nothing stale. The
   * write joins whatever other contact events are being written at the same moment (one
   * transaction for the lot, see ContactBatchWriter); the job still succeeds or fails on its own.
   */
  async #refreshContact(e: ContactEvent, at: Date): Promise<void> {
    const { wecom } = this.deps;
    const fetchSeq = this.#writer.fetchStarted();
    let detail: ContactDetail;
    try {
      detail = await wecom.getExternalContact(e.ExternalUserID);
    } catch (err) {
      this.#writer.fetchAbandoned(fetchSeq);
      throw err;
    }
    await this.#writer.write({ event: e, at, detail, fetchSeq });
    const own = detail.follow_user?.find((f) => f.userid === e.UserID);
    const state = e.State || own?.state;
    if (e.ChangeType !== 'edit_external_contact' && state) {
      await this.deps.channels?.contactAdded({
        externalUserid: e.ExternalUserID,
        userid: e.UserID,
        state,
        eventTime: e.CreateTime,
      });
    }
  }

  async #relationEnded(e: ContactEvent, at: Date, by: 'staff' | 'customer', attempt: number): Promise<void> {
    const { db, clock, notifier } = this.deps;
    const transferred = by === 'staff' && e.Source === 'DELETE_BY_TRANSFER';
    let changed = false;
    await db.transaction().execute(async (tx) => {
      await ensureCustomerStubs(tx, [e.ExternalUserID]);
      await ensureStaff(tx, [e.UserID]);
      const result = await endRelation(tx, {
        externalUserid: e.ExternalUserID,
        userid: e.UserID,
        by,
        at,
        now: clock.now(),
      });
      // A delete seconds after the add (秒删) can be processed before the add's job has written
      // the relation: retry, so the end lands after the add instead of the add reviving it.
      if (result === 'missing' && attempt < MISSING_RELATION_ATTEMPTS) throw new RelationNotYetKnown();
      changed = result === 'ended';
      // 单删 may leave the customer with no salesperson at all: lifecycle becomes `lost`
      await this.deps.insights.refreshDerived([e.ExternalUserID], tx);
      const kind = transferred
        ? 'contact_transferred'
        : by === 'staff'
          ? 'contact_deleted_by_staff'
          : 'contact_deleted_by_customer';
      await appendTimeline(tx, [
        {
          externalUserid: e.ExternalUserID,
          kind,
          actor: by === 'staff' ? e.UserID : ACTOR_CUSTOMER,
          occurredAt: at,
          data: { userid: e.UserID, ...(transferred ? { source: e.Source } : {}) },
          dedupeKey: `${kind}:${e.ExternalUserID}:${e.UserID}:${e.CreateTime}`,
        },
      ]);
    });
    // 单删 is a churn signal the salesperson should hear about at once.
    if (by === 'customer' && changed) {
      await notifier.contactLost({
        userid: e.UserID,
        externalUserid: e.ExternalUserID,
        eventTime: e.CreateTime,
      });
    }
  }

  /** Greets a new customer with the (editable) welcome text, inside WeCom's 20-second window. */
  async sendWelcome(input: {
    userid: string;
    externalUserid: string;
    welcomeCode: string;
    /** the channel code of the add: a channel's own welcome text replaces the default */
    state?: string | undefined;
    eventTime: number;
  }) {
    const { db, wecom, clock, logger } = this.deps;
    const age = clock.now().getTime() - input.eventTime * 1000;
    if (age > WELCOME_WINDOW_MS) {
      logger.warn(
        { externalUserid: input.externalUserid, ageMs: age },
        'welcome code expired before sending',
      );
      return { sent: false as const, reason: 'expired' };
    }
    const [template, customer, staff] = await Promise.all([
      this.#welcomeTemplate(input.state),
      db
        .selectFrom('customers')
        .select('name')
        .where('external_userid', '=', input.externalUserid)
        .executeTakeFirst(),
      db.selectFrom('staff').select('name').where('userid', '=', input.userid).executeTakeFirst(),
    ]);
    const customerName =
      customer?.name || (await wecom.getExternalContact(input.externalUserid)).external_contact.name || '';
    const staffName = staff?.name || (await wecom.getUser(input.userid)).name || '';
    const content = renderTemplate(template, { name: customerName, staffName });
    await wecom.sendWelcomeMsg({ welcomeCode: input.welcomeCode, text: content });
    return { sent: true as const };
  }

  async #welcomeTemplate(state: string | undefined): Promise<string> {
    const own = state ? await this.deps.channels?.welcomeTextFor(state) : undefined;
    return own ?? getSetting(this.deps.db, WELCOME_TEMPLATE_KEY, DEFAULT_WELCOME_TEMPLATE);
  }

  async notifyContactLost(input: { userid: string; externalUserid: string }): Promise<void> {
    const { db, wecom } = this.deps;
    const customer = await db
      .selectFrom('customers')
      .select('name')
      .where('external_userid', '=', input.externalUserid)
      .executeTakeFirst();
    await wecom.sendAppMessage({
      touser: [input.userid],
      msgtype: 'text',
      text: {
        content: `客户「${customer?.name || input.externalUserid}」已将您从好友中删除（单删）。可在私域助手中查看其订单与最近动态，必要时请主管协助召回。`,
      },
    });
  }
}
