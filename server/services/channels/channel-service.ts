import { randomBytes } from 'node:crypto';
import { type Channel, channelInputSchema, channelUpdateSchema } from '../../../shared/channels.js';
import type { Db } from '../../db/database.js';
import { AppError, notFound } from '../../errors.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import {
  type ChannelRow,
  channelByState,
  findChannel,
  insertChannel,
  listChannels,
  updateChannel,
} from '../../repositories/channels.js';
import { replaceRelationTags } from '../../repositories/contacts.js';
import {
  liveTagIds,
  lockRelationTagIds,
  VISIBLE_RELATION_STATUSES,
} from '../../repositories/relation-tags.js';
import { appendTimeline } from '../../repositories/timeline.js';
import type { WeComClient } from '../../wecom/client.js';
import { type TagsAddedHook, tagTimelineEntries, tellTagsAdded } from '../customers/tag-timeline.js';
import { asWeComFailure } from '../sidebar/wecom-failure.js';

type ChannelWeCom = Pick<WeComClient, 'addContactWay' | 'updateContactWay' | 'delContactWay' | 'markTag'>;

interface Deps {
  db: Db;
  clock: Clock;
  logger: Logger;
  wecom: ChannelWeCom;
  tagsAdded?: TagsAddedHook;
}

/** WeCom's contact-way remark holds at most 30 characters. */
const REMARK_MAX = 30;

export function toChannel(r: ChannelRow): Channel {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    qrCode: r.qr_code,
    configId: r.config_id,
    staffUserids: r.staff_userids,
    tagIds: r.tag_ids,
    welcomeText: r.welcome_text,
    cost: r.cost_fen / 100,
    costFen: r.cost_fen,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    deletedAt: r.deleted_at ? r.deleted_at.toISOString() : null,
  };
}

/** `ch` + 12 hex digits: unique, ≤ 30 characters, letters and digits only. */
export function newChannelState(): string {
  return `ch${randomBytes(6).toString('hex')}`;
}

const wayType = (staff: readonly string[]): 1 | 2 => (staff.length > 1 ? 2 : 1);

/**
 * 渠道活码: each channel is a WeCom contact way (QR code) with a `state` of ours. WeCom is told
 * first; local state changes only when it succeeded, so a refusal (502 `wecom_error`) leaves
 * everything as it was. Customers added through the code get the channel's tags (job
 * `channels.apply-tags`) and its welcome text (ContactSyncService.sendWelcome → welcomeTextFor).
 */
export class ChannelService {
  constructor(private readonly deps: Deps) {}

  async list(options: { includeDeleted?: boolean } = {}): Promise<Channel[]> {
    return (await listChannels(this.deps.db, options.includeDeleted ?? false)).map(toChannel);
  }

  async get(id: number): Promise<Channel> {
    return toChannel(await this.#require(id, { allowDeleted: true }));
  }

  async create(userid: string, body: unknown): Promise<Channel> {
    const input = channelInputSchema.parse(body);
    await this.#assertTags(input.tagIds);
    const { db, clock, wecom } = this.deps;
    const state = newChannelState();
    const type = wayType(input.staffUserids);
    let way: { config_id: string; qr_code?: string };
    try {
      way = await wecom.addContactWay({
        type,
        scene: 2,
        state,
        user: input.staffUserids,
        remark: input.name.slice(0, REMARK_MAX),
        skipVerify: true,
      });
    } catch (err) {
      throw asWeComFailure(err);
    }
    const now = clock.now();
    try {
      const row = await insertChannel(db, {
        name: input.name,
        state,
        config_id: way.config_id,
        qr_code: way.qr_code ?? null,
        way_type: type,
        staff_userids: input.staffUserids,
        tag_ids: input.tagIds,
        welcome_text: input.welcomeText || null,
        cost_fen: input.cost ?? 0,
        created_by: userid,
        created_at: now,
        updated_at: now,
      });
      return toChannel(row);
    } catch (err) {
      // nothing of ours refers to the new contact way: take it back
      await wecom
        .delContactWay(way.config_id)
        .catch((e: unknown) =>
          this.deps.logger.warn(
            { err: e, configId: way.config_id },
            'could not delete an orphaned contact way',
          ),
        );
      throw err;
    }
  }

  async update(id: number, body: unknown): Promise<Channel> {
    const patch = channelUpdateSchema.parse(body);
    const current = await this.#require(id);
    if (patch.tagIds) await this.#assertTags(patch.tagIds);
    const { db, clock, wecom, logger } = this.deps;
    const staff = patch.staffUserids ?? current.staff_userids;
    const name = patch.name ?? current.name;
    const type = wayType(staff);
    const wayChanged =
      patch.staffUserids !== undefined || (patch.name !== undefined && patch.name !== current.name);

    let configId = current.config_id;
    let qrCode = current.qr_code;
    let retired: string | null = null;
    if (wayChanged && current.config_id) {
      try {
        if (type === current.way_type) {
          await wecom.updateContactWay(current.config_id, { user: staff, remark: name.slice(0, REMARK_MAX) });
        } else {
          // a contact way cannot change between single- and multi-person: a new code, same state
          const way = await wecom.addContactWay({
            type,
            scene: 2,
            state: current.state,
            user: staff,
            remark: name.slice(0, REMARK_MAX),
            skipVerify: true,
          });
          retired = current.config_id;
          configId = way.config_id;
          qrCode = way.qr_code ?? null;
        }
      } catch (err) {
        throw asWeComFailure(err);
      }
    }
    const row = await updateChannel(db, id, {
      name,
      staff_userids: staff,
      way_type: type,
      config_id: configId,
      qr_code: qrCode,
      ...(patch.tagIds !== undefined ? { tag_ids: patch.tagIds } : {}),
      ...(patch.welcomeText !== undefined ? { welcome_text: patch.welcomeText || null } : {}),
      ...(patch.cost !== undefined ? { cost_fen: patch.cost } : {}),
      updated_at: clock.now(),
    });
    if (retired) {
      await wecom
        .delContactWay(retired)
        .catch((err: unknown) =>
          logger.warn({ err, configId: retired }, 'could not delete the replaced contact way'),
        );
    }
    return toChannel(row);
  }

  /** Deletes the contact way in WeCom, then marks the channel deleted (its reports stay). */
  async remove(id: number): Promise<void> {
    const current = await this.#require(id);
    if (current.config_id) {
      try {
        await this.deps.wecom.delContactWay(current.config_id);
      } catch (err) {
        throw asWeComFailure(err);
      }
    }
    const now = this.deps.clock.now();
    await updateChannel(this.deps.db, id, { deleted_at: now, updated_at: now });
  }

  /**
   * The channel's QR code image, fetched from WeCom's URL, so the workbench can show and download it
   * from its own origin. WeCom's answer must be an image of at most 2 MB.
   */
  async qrImage(id: number): Promise<{ contentType: string; body: Buffer; fileName: string }> {
    const row = await this.#require(id, { allowDeleted: true });
    if (!row.qr_code) throw notFound('QR code');
    let res: Response;
    try {
      res = await fetch(row.qr_code, { signal: AbortSignal.timeout(5000) });
    } catch {
      throw new AppError('wecom_error', 'the QR code image could not be fetched');
    }
    const contentType = res.headers.get('content-type') ?? '';
    const body = Buffer.from(await res.arrayBuffer());
    if (!res.ok || !contentType.startsWith('image/') || body.length > 2_000_000) {
      throw new AppError('wecom_error', `the QR code image could not be fetched (HTTP ${res.status})`);
    }
    return { contentType, body, fileName: `${row.name}-${row.state}.png` };
  }

  /** The welcome text of the channel behind `state`, if it has one (ContactSyncService's hook). */
  async welcomeTextFor(state: string): Promise<string | undefined> {
    const channel = await channelByState(this.deps.db, state);
    return channel?.welcome_text?.trim() ? channel.welcome_text : undefined;
  }

  /**
   * Gives a customer added through a channel the channel's tags: WeCom's `mark_tag` for that
   * relation, then the local tags and `tag_added` timeline entries (once per add event).
   */
  async applyTags(input: {
    externalUserid: string;
    userid: string;
    state: string;
    eventTime: number;
  }): Promise<{ applied: string[] }> {
    const { db, clock, wecom } = this.deps;
    const channel = await channelByState(db, input.state);
    if (!channel || channel.tag_ids.length === 0) return { applied: [] };
    const relation = await db
      .selectFrom('follow_relations')
      .select('status')
      .where('external_userid', '=', input.externalUserid)
      .where('userid', '=', input.userid)
      .executeTakeFirst();
    if (!relation || !(VISIBLE_RELATION_STATUSES as readonly string[]).includes(relation.status)) {
      return { applied: [] };
    }
    const live = await liveTagIds(db, channel.tag_ids);
    const tagIds = channel.tag_ids.filter((t) => live.has(t));
    if (!tagIds.length) return { applied: [] };
    await wecom.markTag({ userid: input.userid, externalUserid: input.externalUserid, addTag: tagIds });

    const occasion = `channel:${channel.state}:${input.eventTime}`;
    const entries = await db.transaction().execute(async (tx) => {
      const current = await lockRelationTagIds(tx, input.externalUserid, input.userid);
      const next = [...new Set([...current, ...tagIds])];
      const changes = await replaceRelationTags(tx, [
        { externalUserid: input.externalUserid, userid: input.userid, tagIds: next },
      ]);
      const logged = await tagTimelineEntries(tx, changes, () => ({ at: clock.now(), key: occasion }));
      await appendTimeline(tx, logged);
      return logged;
    });
    await tellTagsAdded(this.deps.tagsAdded, entries, this.deps.logger);
    return { applied: tagIds };
  }

  async #require(id: number, options: { allowDeleted?: boolean } = {}): Promise<ChannelRow> {
    const row = await findChannel(this.deps.db, id);
    if (!row || (row.deleted_at && !options.allowDeleted)) throw notFound('channel');
    return row;
  }

  async #assertTags(tagIds: readonly string[]): Promise<void> {
    const live = await liveTagIds(this.deps.db, tagIds);
    const unknown = tagIds.filter((t) => !live.has(t));
    if (unknown.length) throw new AppError('bad_request', `unknown tag ids: ${unknown.join(', ')}`);
  }
}
