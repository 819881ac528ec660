import type { Customer, Follow } from './store/contacts.js';
import type { TagStore } from './store/tags.js';

// WeCom's JSON shapes for the simulator's records.

export function customerToWire(customer: Customer) {
  return { ...customer };
}

function followCommon(follow: Follow) {
  return {
    userid: follow.userid,
    remark: follow.remark,
    description: follow.description,
    createtime: follow.createtime,
    remark_corp_name: follow.remark_corp_name,
    remark_mobiles: follow.remark_mobiles,
    oper_userid: follow.oper_userid,
    add_way: follow.add_way,
    ...(follow.state !== undefined ? { state: follow.state } : {}),
  };
}

/** follow_user[] item of externalcontact/get */
export function followUserToWire(follow: Follow, tags: TagStore) {
  const common = followCommon(follow);
  return {
    ...common,
    tags: tags.live(follow.tagIds).map((tag) => ({
      group_name: tags.groups.get(tag.group_id)?.group_name ?? '',
      tag_name: tag.name,
      tag_id: tag.id,
      type: 1,
    })),
  };
}

/** follow_info of batch/get_by_user */
export function followInfoToWire(follow: Follow, tags: TagStore) {
  return { ...followCommon(follow), tag_id: tags.live(follow.tagIds).map((tag) => tag.id) };
}
