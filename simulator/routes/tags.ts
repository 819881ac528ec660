import type { CgiRouter } from '../cgi.js';
import { ErrCode, WeComError } from '../errors.js';
import { optArray, optInt, optString, optStringArray, reqString } from '../params.js';
import type { SimulatorState } from '../state.js';
import type { TagGroup } from '../store/tags.js';

export function registerTagApis(api: CgiRouter, state: SimulatorState): void {
  const { tags, clock } = state;

  api.post('externalcontact/get_corp_tag_list', ({ body }) => {
    const groupIds = optStringArray(body, 'group_id') ?? [];
    const tagIds = optStringArray(body, 'tag_id') ?? [];
    if (groupIds.length > 0) {
      return {
        tag_group: groupIds.flatMap((id) => {
          const group = tags.groups.get(id);
          return group ? [tags.toWire(group)] : [];
        }),
      };
    }
    if (tagIds.length > 0) {
      const wanted = new Set(tagIds);
      const groups = new Set<TagGroup>();
      for (const id of wanted) {
        const group = tags.groups.get(tags.tags.get(id)?.group_id ?? '');
        if (group) groups.add(group);
      }
      return { tag_group: [...groups].map((g) => tags.toWire(g, wanted)) };
    }
    return { tag_group: [...tags.groups.values()].map((g) => tags.toWire(g)) };
  });

  api.post('externalcontact/add_corp_tag', ({ body }) => {
    const groupId = optString(body, 'group_id');
    const groupName = optString(body, 'group_name');
    const tagInputs = (optArray(body, 'tag') ?? []).map((t) => {
      const item = (t ?? {}) as Record<string, unknown>;
      return { name: reqString(item, 'name'), order: optInt(item, 'order') ?? 0 };
    });
    if (tagInputs.length === 0) throw new WeComError(ErrCode.invalidArgs, 'missing tag');
    const now = clock.nowSeconds();
    let group: TagGroup | undefined;
    if (groupId !== undefined) {
      group = tags.groups.get(groupId);
      if (!group) throw new WeComError(ErrCode.invalidTagId);
    } else if (groupName !== undefined && groupName !== '') {
      group =
        tags.groupByName(groupName) ??
        tags.upsertGroup({ group_name: groupName, order: optInt(body, 'order') ?? 0, tags: [] }, now);
    } else {
      throw new WeComError(ErrCode.invalidArgs, 'missing group_id or group_name');
    }
    const target = group;
    const names = tagInputs.map((t) => t.name);
    if (
      new Set(names).size !== names.length ||
      names.some((n) => [...target.tags.values()].some((t) => t.name === n))
    ) {
      throw new WeComError(ErrCode.tagNameExists);
    }
    const created = tagInputs.map((t) => tags.addTag(target, t.name, t.order, now));
    return {
      tag_group: {
        group_id: target.group_id,
        group_name: target.group_name,
        create_time: target.create_time,
        order: target.order,
        tag: created.map((t) => ({ id: t.id, name: t.name, create_time: t.create_time, order: t.order })),
      },
    };
  });

  api.post('externalcontact/edit_corp_tag', ({ body }) => {
    const id = reqString(body, 'id');
    const name = optString(body, 'name');
    const order = optInt(body, 'order');
    const tag = tags.tags.get(id);
    const group = tags.groups.get(id);
    if (tag) {
      const siblings = [...(tags.groups.get(tag.group_id)?.tags.values() ?? [])];
      if (name !== undefined && siblings.some((t) => t.id !== id && t.name === name)) {
        throw new WeComError(ErrCode.tagNameExists);
      }
      if (name !== undefined) tag.name = name;
      if (order !== undefined) tag.order = order;
    } else if (group) {
      const other = name === undefined ? undefined : tags.groupByName(name);
      if (other && other !== group) throw new WeComError(ErrCode.tagNameExists);
      if (name !== undefined) group.group_name = name;
      if (order !== undefined) group.order = order;
    } else {
      throw new WeComError(ErrCode.invalidTagId);
    }
    return {};
  });

  api.post('externalcontact/del_corp_tag', ({ body }) => {
    const tagIds = optStringArray(body, 'tag_id') ?? [];
    const groupIds = optStringArray(body, 'group_id') ?? [];
    if (tagIds.length === 0 && groupIds.length === 0) throw new WeComError(ErrCode.invalidTagId);
    if (tagIds.some((id) => !tags.tags.has(id)) || groupIds.some((id) => !tags.groups.has(id))) {
      throw new WeComError(ErrCode.invalidTagId);
    }
    for (const id of tagIds) tags.deleteTag(id);
    for (const id of groupIds) tags.deleteGroup(id);
    return {};
  });
}
