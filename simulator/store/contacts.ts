import { newId } from '../ids.js';
import type { CustomerProfileInput, FollowInput, StaffInput } from '../schemas.js';

export interface Staff {
  userid: string;
  name: string;
  department: number[];
  position: string;
  mobile: string;
  gender: string;
  email: string;
  avatar: string;
  hasContactPermission: boolean;
}

export interface Customer {
  external_userid: string;
  name: string;
  avatar: string;
  type: 1 | 2;
  gender: 0 | 1 | 2;
  unionid?: string;
  corp_name?: string;
  corp_full_name?: string;
  position?: string;
}

export interface Follow {
  userid: string;
  external_userid: string;
  remark: string;
  description: string;
  createtime: number;
  tagIds: string[];
  remark_corp_name: string;
  remark_mobiles: string[];
  add_way: number;
  oper_userid: string;
  state?: string;
  /** position in the staff member's customer list, for cursor paging */
  slot: number;
}

const AVATAR = 'https://wework.qpic.cn/wwhead/sim/0';

/** Staff, customers and the follow relations between them, indexed both ways for 100k+ customers. */
export class ContactStore {
  readonly staff = new Map<string, Staff>();
  readonly customers = new Map<string, Customer>();
  private readonly follows = new Map<string, Map<string, Follow>>();
  /** per staff member, external_userids in the order they were added; stale entries are skipped */
  private readonly slots = new Map<string, string[]>();

  clear(): void {
    this.staff.clear();
    this.customers.clear();
    this.follows.clear();
    this.slots.clear();
  }

  upsertStaff(input: StaffInput): Staff {
    const prev = this.staff.get(input.userid);
    const staff: Staff = {
      userid: input.userid,
      name: input.name ?? prev?.name ?? input.userid,
      department: input.department ?? prev?.department ?? [1],
      position: input.position ?? prev?.position ?? '',
      mobile: input.mobile ?? prev?.mobile ?? '',
      gender: input.gender ?? prev?.gender ?? '0',
      email: input.email ?? prev?.email ?? '',
      avatar: input.avatar ?? prev?.avatar ?? AVATAR,
      hasContactPermission: input.hasContactPermission ?? prev?.hasContactPermission ?? true,
    };
    this.staff.set(staff.userid, staff);
    return staff;
  }

  upsertCustomer(input: CustomerProfileInput): Customer {
    const externalUserId = input.external_userid ?? newId.externalUserId();
    const prev = this.customers.get(externalUserId);
    const customer: Customer = {
      external_userid: externalUserId,
      name: input.name ?? prev?.name ?? `客户${externalUserId.slice(-6)}`,
      avatar: input.avatar ?? prev?.avatar ?? AVATAR,
      type: input.type ?? prev?.type ?? 1,
      gender: input.gender ?? prev?.gender ?? 0,
    };
    const unionid = input.unionid ?? prev?.unionid;
    if (unionid !== undefined) customer.unionid = unionid;
    const corpName = input.corp_name ?? prev?.corp_name;
    if (corpName !== undefined) customer.corp_name = corpName;
    const corpFullName = input.corp_full_name ?? prev?.corp_full_name;
    if (corpFullName !== undefined) customer.corp_full_name = corpFullName;
    const position = input.position ?? prev?.position;
    if (position !== undefined) customer.position = position;
    this.customers.set(externalUserId, customer);
    return customer;
  }

  /** Creates or updates the relation; a new relation goes to the end of the staff member's list. */
  upsertFollow(externalUserId: string, input: FollowInput, nowSeconds: number): Follow {
    let byStaff = this.follows.get(externalUserId);
    if (!byStaff) {
      byStaff = new Map();
      this.follows.set(externalUserId, byStaff);
    }
    const prev = byStaff.get(input.userid);
    let slot = prev?.slot;
    if (slot === undefined) {
      let list = this.slots.get(input.userid);
      if (!list) {
        list = [];
        this.slots.set(input.userid, list);
      }
      slot = list.length;
      list.push(externalUserId);
    }
    const follow: Follow = {
      userid: input.userid,
      external_userid: externalUserId,
      remark: input.remark ?? prev?.remark ?? '',
      description: input.description ?? prev?.description ?? '',
      createtime: input.createtime ?? prev?.createtime ?? nowSeconds,
      tagIds: input.tag_ids ? [...new Set(input.tag_ids)] : (prev?.tagIds ?? []),
      remark_corp_name: input.remark_corp_name ?? prev?.remark_corp_name ?? '',
      remark_mobiles: input.remark_mobiles ?? prev?.remark_mobiles ?? [],
      add_way: input.add_way ?? prev?.add_way ?? 0,
      oper_userid: input.oper_userid ?? prev?.oper_userid ?? input.userid,
      slot,
    };
    const state = input.state ?? prev?.state;
    if (state !== undefined) follow.state = state;
    byStaff.set(input.userid, follow);
    return follow;
  }

  getFollow(userid: string, externalUserId: string): Follow | undefined {
    return this.follows.get(externalUserId)?.get(userid);
  }

  followsOf(externalUserId: string): Follow[] {
    return [...(this.follows.get(externalUserId)?.values() ?? [])];
  }

  removeFollow(userid: string, externalUserId: string): boolean {
    const byStaff = this.follows.get(externalUserId);
    if (!byStaff?.delete(userid)) return false;
    if (byStaff.size === 0) this.follows.delete(externalUserId);
    return true;
  }

  /** Relations of one staff member from list position `from`, skipping removed ones. */
  *followsOfStaff(userid: string, from = 0): Generator<{ follow: Follow; slot: number }> {
    const list = this.slots.get(userid) ?? [];
    for (let slot = from; slot < list.length; slot++) {
      const externalUserId = list[slot];
      if (externalUserId === undefined) continue;
      const follow = this.follows.get(externalUserId)?.get(userid);
      if (follow && follow.slot === slot) yield { follow, slot };
    }
  }

  slotCount(userid: string): number {
    return this.slots.get(userid)?.length ?? 0;
  }
}
