import { newId } from '../ids.js';

export interface MassRecipient {
  userid: string;
  external_userid?: string;
  chat_id?: string;
  /** 0 not sent, 1 sent, 2 not a friend, 3 already received another mass message */
  status: number;
  send_time?: number;
}

export interface MassSend {
  msgid: string;
  chat_type: 'single' | 'group';
  sender?: string;
  text?: { content: string };
  attachments: unknown[];
  /** the request body as received */
  request: Record<string, unknown>;
  createdAt: number;
  fail_list: string[];
  canceled: boolean;
  remindedAt: number[];
  recipients: MassRecipient[];
}

export interface StaffTask {
  userid: string;
  /** 0 not sent, 2 sent */
  status: number;
  send_time?: number;
}

/** Mass-send tasks created by add_msg_template (企业群发). */
export class MassSendStore {
  readonly sends = new Map<string, MassSend>();

  clear(): void {
    this.sends.clear();
  }

  create(fields: Omit<MassSend, 'msgid' | 'canceled' | 'remindedAt'>): MassSend {
    const send: MassSend = { ...fields, msgid: newId.msgId(), canceled: false, remindedAt: [] };
    this.sends.set(send.msgid, send);
    return send;
  }

  /** WeCom's per-staff view: a staff member's task counts as sent once any of their recipients is. */
  tasks(send: MassSend): StaffTask[] {
    const byStaff = new Map<string, StaffTask>();
    for (const r of send.recipients) {
      let task = byStaff.get(r.userid);
      if (!task) {
        task = { userid: r.userid, status: 0 };
        byStaff.set(r.userid, task);
      }
      if (r.status === 1) {
        task.status = 2;
        if (r.send_time !== undefined) task.send_time = Math.max(task.send_time ?? 0, r.send_time);
      }
    }
    return [...byStaff.values()];
  }

  setStatus(
    send: MassSend,
    filter: { userid?: string; external_userid?: string; chat_id?: string },
    status: number,
    sendTime: number,
  ): number {
    let changed = 0;
    for (const r of send.recipients) {
      if (filter.userid !== undefined && r.userid !== filter.userid) continue;
      if (filter.external_userid !== undefined && r.external_userid !== filter.external_userid) continue;
      if (filter.chat_id !== undefined && r.chat_id !== filter.chat_id) continue;
      r.status = status;
      if (status === 1) r.send_time = sendTime;
      else delete r.send_time;
      changed++;
    }
    return changed;
  }
}
