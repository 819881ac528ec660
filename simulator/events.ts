import { buildXml, cdata, num, type XmlNode } from './callbacks.js';

// Plaintext callback XML as WeCom writes it (self-built app format: FromUserName is `sys` for events).

interface Header {
  corpId: string;
  createTime: number;
}

function eventHeader(h: Header, event: string): Array<[string, XmlNode]> {
  return [
    ['ToUserName', cdata(h.corpId)],
    ['FromUserName', cdata('sys')],
    ['CreateTime', num(h.createTime)],
    ['MsgType', cdata('event')],
    ['Event', cdata(event)],
  ];
}

export interface ContactEvent {
  changeType:
    | 'add_external_contact'
    | 'add_half_external_contact'
    | 'edit_external_contact'
    | 'del_external_contact'
    | 'del_follow_user'
    | 'transfer_fail';
  userid: string;
  externalUserId: string;
  state?: string;
  welcomeCode?: string;
  source?: string;
  failReason?: string;
}

export function contactEventXml(h: Header, e: ContactEvent): string {
  const fields = eventHeader(h, 'change_external_contact');
  fields.push(
    ['ChangeType', cdata(e.changeType)],
    ['UserID', cdata(e.userid)],
    ['ExternalUserID', cdata(e.externalUserId)],
  );
  if (e.state !== undefined) fields.push(['State', cdata(e.state)]);
  if (e.welcomeCode !== undefined) fields.push(['WelcomeCode', cdata(e.welcomeCode)]);
  if (e.source !== undefined) fields.push(['Source', cdata(e.source)]);
  if (e.failReason !== undefined) fields.push(['FailReason', cdata(e.failReason)]);
  return buildXml(fields);
}

export interface ChatEvent {
  chatId: string;
  changeType: 'create' | 'update' | 'dismiss';
  updateDetail?: string;
  joinScene?: number;
  quitScene?: number;
  memChangeList?: string[];
  memChangeListForm?: 'items' | 'csv';
  lastMemVer?: string;
  curMemVer?: string;
  versionsInCdata?: boolean;
}

export function chatEventXml(h: Header, e: ChatEvent): string {
  const fields = eventHeader(h, 'change_external_chat');
  fields.push(['ChatId', cdata(e.chatId)], ['ChangeType', cdata(e.changeType)]);
  if (e.updateDetail !== undefined) fields.push(['UpdateDetail', cdata(e.updateDetail)]);
  if (e.joinScene !== undefined) fields.push(['JoinScene', num(e.joinScene)]);
  if (e.quitScene !== undefined) fields.push(['QuitScene', num(e.quitScene)]);
  if (e.memChangeList !== undefined) {
    fields.push(['MemChangeCnt', num(e.memChangeList.length)]);
    fields.push([
      'MemChangeList',
      e.memChangeListForm === 'csv' ? cdata(e.memChangeList.join(',')) : { items: e.memChangeList },
    ]);
  }
  const version = (v: string): XmlNode => (e.versionsInCdata ? cdata(v) : { raw: v });
  if (e.lastMemVer !== undefined) fields.push(['LastMemVer', version(e.lastMemVer)]);
  if (e.curMemVer !== undefined) fields.push(['CurMemVer', version(e.curMemVer)]);
  return buildXml(fields);
}

export interface TagEvent {
  id: string;
  tagType: 'tag' | 'tag_group';
  changeType: 'create' | 'update' | 'delete' | 'shuffle';
  strategyId?: number;
}

export function tagEventXml(h: Header, e: TagEvent): string {
  const fields = eventHeader(h, 'change_external_tag');
  fields.push(['Id', cdata(e.id)], ['TagType', cdata(e.tagType)], ['ChangeType', cdata(e.changeType)]);
  if (e.strategyId !== undefined) fields.push(['StrategyId', num(e.strategyId)]);
  return buildXml(fields);
}

export interface TextMessage {
  fromUserid: string;
  content: string;
  msgId: string;
  agentId: number;
}

/** A staff member's text message to the self-built app. */
export function textMessageXml(h: Header, m: TextMessage): string {
  return buildXml([
    ['ToUserName', cdata(h.corpId)],
    ['FromUserName', cdata(m.fromUserid)],
    ['CreateTime', num(h.createTime)],
    ['MsgType', cdata('text')],
    ['Content', cdata(m.content)],
    ['MsgId', { raw: m.msgId }],
    ['AgentID', num(m.agentId)],
  ]);
}
