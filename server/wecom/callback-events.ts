import { z } from 'zod';
import { AppError } from '../errors.js';
import { parseWeComXml } from './xml.js';

function parseXml(xml: string): Record<string, unknown> {
  const root = parseWeComXml(xml).xml;
  if (!root || typeof root !== 'object' || Array.isArray(root))
    throw new AppError('bad_request', 'malformed XML: no <xml> root');
  return root;
}

/** The outer envelope of a POSTed callback: only `Encrypt` matters. */
export function parseEnvelope(xml: string): string {
  const encrypted = parseXml(xml).Encrypt;
  if (typeof encrypted !== 'string' || encrypted === '')
    throw new AppError('bad_request', 'no Encrypt element');
  return encrypted;
}

const text = z.string();
const optionalText = z.string().optional();
const unixSeconds = z.coerce.number().int().nonnegative();

/** MemChangeList comes as `<Item>` elements or as one comma-separated string; accept both. */
const memberList = z
  .union([z.array(z.string()), z.object({ Item: z.array(z.string()) }), z.string()])
  .optional()
  .transform((v) => {
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    if (typeof v === 'string')
      return v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    return v.Item;
  });

const header = { ToUserName: text, CreateTime: unixSeconds };

const contactEvent = z.object({
  ...header,
  MsgType: z.literal('event'),
  Event: z.literal('change_external_contact'),
  ChangeType: z.enum([
    'add_external_contact',
    'add_half_external_contact',
    'edit_external_contact',
    'del_external_contact',
    'del_follow_user',
    'transfer_fail',
  ]),
  UserID: text,
  ExternalUserID: text,
  State: optionalText,
  WelcomeCode: optionalText,
  Source: optionalText,
  FailReason: optionalText,
});

const chatEvent = z.object({
  ...header,
  MsgType: z.literal('event'),
  Event: z.literal('change_external_chat'),
  ChatId: text,
  ChangeType: z.enum(['create', 'update', 'dismiss']),
  UpdateDetail: optionalText,
  JoinScene: optionalText,
  QuitScene: optionalText,
  MemChangeCnt: optionalText,
  MemChangeList: memberList,
  LastMemVer: optionalText,
  CurMemVer: optionalText,
});

const tagEvent = z.object({
  ...header,
  MsgType: z.literal('event'),
  Event: z.literal('change_external_tag'),
  Id: z.string().optional().default(''),
  TagType: z.enum(['tag', 'tag_group']).optional(),
  ChangeType: z.enum(['create', 'update', 'delete', 'shuffle']),
  StrategyId: optionalText,
});

const staffText = z.object({
  ...header,
  MsgType: z.literal('text'),
  FromUserName: text,
  Content: z.string().default(''),
  MsgId: optionalText,
  AgentID: optionalText,
});

export const contactEventSchema = contactEvent;
export const chatEventSchema = chatEvent;
export const tagEventSchema = tagEvent;
export const staffTextSchema = staffText;

export type ContactEvent = z.infer<typeof contactEvent>;
export type ChatEvent = z.infer<typeof chatEvent>;
export type TagEvent = z.infer<typeof tagEvent>;
export type StaffText = z.infer<typeof staffText>;

export type CallbackMessage =
  | { type: 'contact'; event: ContactEvent }
  | { type: 'chat'; event: ChatEvent }
  | { type: 'tag'; event: TagEvent }
  | { type: 'staff_text'; event: StaffText }
  | { type: 'ignored'; reason: string };

/**
 * Parses a decrypted callback. Events we do not handle are acknowledged and ignored; an event we
 * handle but whose fields are malformed is a bad request.
 */
export function parseCallbackMessage(xml: string): CallbackMessage {
  const root = parseXml(xml);
  const msgType = root.MsgType;
  const event = root.Event;
  const schemaFor = () => {
    if (msgType === 'text') return { type: 'staff_text' as const, schema: staffText };
    if (msgType !== 'event') return undefined;
    if (event === 'change_external_contact') return { type: 'contact' as const, schema: contactEvent };
    if (event === 'change_external_chat') return { type: 'chat' as const, schema: chatEvent };
    if (event === 'change_external_tag') return { type: 'tag' as const, schema: tagEvent };
    return undefined;
  };
  const target = schemaFor();
  if (!target) return { type: 'ignored', reason: `${String(msgType)}/${String(event ?? '')}` };
  const parsed = target.schema.safeParse(root);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError(
      'bad_request',
      `malformed ${target.type} event: ${issue.path.join('.')} ${issue.message}`,
    );
  }
  return { type: target.type, event: parsed.data } as CallbackMessage;
}
