import express, { type Router } from 'express';
import { chinaDayStartOfDate } from '../behavior.js';
import type { CallbackSender } from '../callbacks.js';
import { ControlError } from '../errors.js';
import {
  behaviorBody,
  clockBody,
  configBody,
  customersBody,
  type FollowInput,
  faultInput,
  generateCustomersBody,
  groupsBody,
  massStatusBody,
  oauthCodeBody,
  staffBody,
  tagGroupsBody,
  verifyUrlBody,
} from '../schemas.js';
import { normalizeApiPath, type SimulatorState } from '../state.js';
import { customerToWire, followUserToWire } from '../wire.js';
import { controlErrors, notFound, withBody, withoutBody } from './control-kit.js';
import { fireRouter } from './fire.js';

// a 1×1 PNG: enough for an <img> and for "is it a PNG" checks
const QR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** The simulator's own JSON API under /sim, for tests and the demo. */
export function controlRouter(state: SimulatorState, sender: CallbackSender, baseUrl: () => string): Router {
  const router = express.Router();
  const { contacts, tags, groups, massSends, credentials, clock } = state;
  router.use(express.json({ limit: '500mb' }));

  function checkFollow(follow: FollowInput): void {
    if (!contacts.staff.has(follow.userid)) throw new ControlError(400, `unknown staff ${follow.userid}`);
    const badTag = follow.tag_ids?.find((id) => !tags.tags.has(id));
    if (badTag !== undefined) throw new ControlError(400, `unknown tag ${badTag}`);
  }

  router.get('/qr/:file', (req, res) => {
    const configId = req.params.file.replace(/\.png$/, '');
    if (!state.contactWays.has(configId)) {
      res.status(404).end();
      return;
    }
    res.type('png').send(QR_PNG);
  });

  router.post(
    '/reset',
    withoutBody(() => {
      state.reset();
      return { ok: true };
    }),
  );

  const configView = () => ({
    url: baseUrl(),
    corpId: state.config.corpId,
    corpSecret: state.config.corpSecret,
    agentId: state.config.agentId,
    token: state.config.token,
    encodingAesKey: state.config.encodingAesKey,
    callbackUrl: state.callbackUrl ?? null,
    autoLoginUserid: state.autoLoginUserid ?? null,
  });
  router.get('/config', withoutBody(configView));
  router.put(
    '/config',
    withBody(configBody, (input) => {
      if (input.callbackUrl !== undefined) state.callbackUrl = input.callbackUrl ?? undefined;
      if (input.autoLoginUserid !== undefined) state.autoLoginUserid = input.autoLoginUserid ?? undefined;
      return configView();
    }),
  );

  router.get(
    '/clock',
    withoutBody(() => ({ now: clock.nowMs() })),
  );
  router.post(
    '/clock/advance',
    withBody(clockBody, (input) => {
      clock.advance(input.seconds);
      return { now: clock.nowMs() };
    }),
  );

  router.get(
    '/staff',
    withoutBody(() => ({ staff: [...contacts.staff.values()] })),
  );
  router.post(
    '/staff',
    withBody(staffBody, (input) => ({ staff: input.staff.map((s) => contacts.upsertStaff(s)) })),
  );

  router.post(
    '/customers',
    withBody(customersBody, (input) => {
      for (const c of input.customers) for (const f of c.follow_users ?? []) checkFollow(f);
      const now = clock.nowSeconds();
      const ids = input.customers.map((c) => {
        const { follow_users: follows, ...profile } = c;
        const customer = contacts.upsertCustomer(profile);
        for (const f of follows ?? []) contacts.upsertFollow(customer.external_userid, f, now);
        return customer.external_userid;
      });
      return { external_userids: ids };
    }),
  );

  router.post(
    '/customers/generate',
    withBody(generateCustomersBody, (input) => {
      for (const userid of input.userids) checkFollow({ userid, tag_ids: input.tag_ids });
      const now = clock.nowSeconds();
      const prefix = input.namePrefix ?? '客户';
      const width = String(input.count).length;
      const ids: string[] = [];
      for (let i = 0; i < input.count; i++) {
        const customer = contacts.upsertCustomer({
          name: `${prefix}${String(i + 1).padStart(width, '0')}`,
          gender: (i % 3) as 0 | 1 | 2,
        });
        const followers = input.followAll ? input.userids : [input.userids[i % input.userids.length] ?? ''];
        for (const userid of followers) {
          contacts.upsertFollow(
            customer.external_userid,
            {
              userid,
              tag_ids: input.tag_ids,
              state: input.state,
              createtime: input.createtime ?? now,
              add_way: 1,
            },
            now,
          );
        }
        ids.push(customer.external_userid);
      }
      return { count: ids.length, external_userids: ids };
    }),
  );

  router.get(
    '/customers/:id',
    withoutBody((req) => {
      const id = String(req.params.id);
      const customer = contacts.customers.get(id);
      if (!customer) throw notFound(`customer ${id}`);
      return {
        external_contact: customerToWire(customer),
        follow_user: contacts.followsOf(id).map((f) => followUserToWire(f, tags)),
      };
    }),
  );

  router.get(
    '/tag-groups',
    withoutBody(() => ({ tag_group: [...tags.groups.values()].map((g) => tags.toWire(g)) })),
  );
  router.post(
    '/tag-groups',
    withBody(tagGroupsBody, (input) => ({
      tag_group: input.groups.map((g) => tags.toWire(tags.upsertGroup(g, clock.nowSeconds()))),
    })),
  );

  router.post(
    '/groups',
    withBody(groupsBody, (input) => {
      for (const g of input.groups) {
        if (!contacts.staff.has(g.owner)) throw new ControlError(400, `unknown staff ${g.owner}`);
      }
      return { chat_ids: input.groups.map((g) => groups.create(g, clock.nowSeconds()).chat_id) };
    }),
  );
  router.get(
    '/groups/:chatId',
    withoutBody((req) => {
      const chat = groups.chats.get(String(req.params.chatId));
      if (!chat) throw notFound('group');
      const { members, ...rest } = chat;
      return { ...rest, members: [...members.values()] };
    }),
  );

  router.post(
    '/behavior',
    withBody(behaviorBody, (input) => {
      for (const { userid, date, ...values } of input.data) {
        const day = typeof date === 'number' ? date : chinaDayStartOfDate(date);
        const key = `${userid}|${day}`;
        state.behaviorOverrides.set(key, { ...state.behaviorOverrides.get(key), ...values });
      }
      return { ok: true };
    }),
  );

  router.get(
    '/faults',
    withoutBody(() => ({ faults: Object.fromEntries(state.faults) })),
  );
  router.post(
    '/faults',
    withBody(faultInput, (input) => {
      const { path, count, ...fault } = input;
      state.addFault(normalizeApiPath(path), { ...fault, remaining: count });
      return { ok: true };
    }),
  );
  router.delete(
    '/faults',
    withoutBody(() => {
      state.faults.clear();
      return { ok: true };
    }),
  );

  router.post(
    '/tokens/expire',
    withoutBody(() => ({ expired: credentials.expireAllTokens() })),
  );

  router.get(
    '/counters',
    withoutBody(() => ({
      gettoken: state.callCounts.get('gettoken') ?? 0,
      calls: Object.fromEntries(state.callCounts),
    })),
  );

  router.post(
    '/oauth/code',
    withBody(oauthCodeBody, (input) => {
      if (!contacts.staff.has(input.userid)) throw new ControlError(400, `unknown staff ${input.userid}`);
      return { code: credentials.issueOAuthCode(input.userid, clock.nowMs()) };
    }),
  );

  router.get(
    '/tickets',
    withoutBody(() => ({ jsapi_ticket: credentials.jsapiTicket, agent_ticket: credentials.agentTicket })),
  );

  router.get(
    '/sent/welcome-messages',
    withoutBody(() => ({ items: state.welcomeMessages })),
  );
  router.get(
    '/sent/app-messages',
    withoutBody(() => ({ items: state.appMessages })),
  );
  router.get(
    '/sent/mark-tags',
    withoutBody(() => ({ items: state.markTags })),
  );
  router.get(
    '/sent/remarks',
    withoutBody(() => ({ items: state.remarks })),
  );
  router.get(
    '/sent/robot-messages',
    withoutBody(() => ({ items: state.robotMessages })),
  );
  router.get(
    '/sent/mass-sends',
    withoutBody(() => ({
      items: [...massSends.sends.values()].map((s) => ({ ...s, tasks: massSends.tasks(s) })),
    })),
  );
  router.get(
    '/contact-ways',
    withoutBody(() => ({ items: [...state.contactWays.values()] })),
  );
  router.get(
    '/deliveries',
    withoutBody(() => ({ items: state.deliveries })),
  );

  router.post(
    '/mass-sends/:msgid/status',
    withBody(massStatusBody, (input, req) => {
      const send = massSends.sends.get(String(req.params.msgid));
      if (!send) throw notFound('mass send');
      const { status, send_time: sendTime, ...filter } = input;
      return { changed: massSends.setStatus(send, filter, status, sendTime ?? clock.nowSeconds()) };
    }),
  );

  router.post(
    '/verify-url',
    withBody(verifyUrlBody, (input) => sender.verifyUrl(input.echo)),
  );

  router.use('/fire', fireRouter(state, sender));
  router.use(controlErrors);
  return router;
}
