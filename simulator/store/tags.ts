import { ErrCode, WeComError } from '../errors.js';
import { newId } from '../ids.js';
import type { TagGroupInput } from '../schemas.js';

export interface Tag {
  id: string;
  name: string;
  order: number;
  create_time: number;
  group_id: string;
}

export interface TagGroup {
  group_id: string;
  group_name: string;
  order: number;
  create_time: number;
  tags: Map<string, Tag>;
}

/** Corp tags (企业客户标签). Deleted tags and groups are removed outright, as WeCom no longer lists them. */
export class TagStore {
  readonly groups = new Map<string, TagGroup>();
  readonly tags = new Map<string, Tag>();

  clear(): void {
    this.groups.clear();
    this.tags.clear();
  }

  groupByName(name: string): TagGroup | undefined {
    for (const group of this.groups.values()) if (group.group_name === name) return group;
    return undefined;
  }

  upsertGroup(input: TagGroupInput, nowSeconds: number): TagGroup {
    const existing =
      (input.group_id !== undefined ? this.groups.get(input.group_id) : undefined) ??
      this.groupByName(input.group_name);
    const group: TagGroup = existing ?? {
      group_id: input.group_id ?? newId.tagId(),
      group_name: input.group_name,
      order: input.order ?? 0,
      create_time: input.create_time ?? nowSeconds,
      tags: new Map(),
    };
    group.group_name = input.group_name;
    if (input.order !== undefined) group.order = input.order;
    this.groups.set(group.group_id, group);
    for (const tagInput of input.tags ?? []) {
      const same =
        (tagInput.id !== undefined ? group.tags.get(tagInput.id) : undefined) ??
        [...group.tags.values()].find((t) => t.name === tagInput.name);
      if (same) {
        same.name = tagInput.name;
        if (tagInput.order !== undefined) same.order = tagInput.order;
        continue;
      }
      this.insertTag(group, {
        id: tagInput.id ?? newId.tagId(),
        name: tagInput.name,
        order: tagInput.order ?? 0,
        create_time: tagInput.create_time ?? nowSeconds,
        group_id: group.group_id,
      });
    }
    return group;
  }

  addTag(group: TagGroup, name: string, order: number, nowSeconds: number): Tag {
    if ([...group.tags.values()].some((t) => t.name === name)) throw new WeComError(ErrCode.tagNameExists);
    const tag: Tag = { id: newId.tagId(), name, order, create_time: nowSeconds, group_id: group.group_id };
    this.insertTag(group, tag);
    return tag;
  }

  private insertTag(group: TagGroup, tag: Tag): void {
    group.tags.set(tag.id, tag);
    this.tags.set(tag.id, tag);
  }

  deleteTag(id: string): boolean {
    const tag = this.tags.get(id);
    if (!tag) return false;
    this.tags.delete(id);
    const group = this.groups.get(tag.group_id);
    group?.tags.delete(id);
    // WeCom drops a group whose last tag is deleted
    if (group && group.tags.size === 0) this.groups.delete(group.group_id);
    return true;
  }

  deleteGroup(id: string): boolean {
    const group = this.groups.get(id);
    if (!group) return false;
    for (const tagId of group.tags.keys()) this.tags.delete(tagId);
    this.groups.delete(id);
    return true;
  }

  /** The tags of a relation that still exist (deleted tags disappear from customers too). */
  live(tagIds: string[]): Tag[] {
    const out: Tag[] = [];
    for (const tagId of tagIds) {
      const tag = this.tags.get(tagId);
      if (tag) out.push(tag);
    }
    return out;
  }

  toWire(group: TagGroup, onlyTagIds?: Set<string>) {
    return {
      group_id: group.group_id,
      group_name: group.group_name,
      create_time: group.create_time,
      order: group.order,
      deleted: false,
      tag: [...group.tags.values()]
        .filter((t) => !onlyTagIds || onlyTagIds.has(t.id))
        .map((t) => ({ id: t.id, name: t.name, create_time: t.create_time, order: t.order, deleted: false })),
    };
  }
}
