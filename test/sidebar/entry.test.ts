import { describe, expect, it } from 'vitest';
import { decideEntry, looksLikeWeCom } from '../../sidebar/src/logic/entry.js';
import { WeComCallError } from '../../sidebar/src/wecom/types.js';

function fakeAdapter(entry: string, ids: { contact?: string; chat?: string } = {}) {
  const calls: string[] = [];
  return {
    calls,
    adapter: {
      getContext: async () => {
        calls.push('getContext');
        return { entry };
      },
      getCurExternalContact: async () => {
        calls.push('getCurExternalContact');
        return ids.contact ?? 'wm-none';
      },
      getCurExternalChat: async () => {
        calls.push('getCurExternalChat');
        return ids.chat ?? 'wr-none';
      },
    },
  };
}

describe('decideEntry', () => {
  it('sends a 1:1 chat and a contact profile to that customer', async () => {
    for (const entry of ['single_chat_tools', 'contact_profile']) {
      const f = fakeAdapter(entry, { contact: 'wmAB/c+d' });
      expect(await decideEntry(async () => f.adapter)).toEqual({
        kind: 'customer',
        path: '/customer/wmAB%2Fc%2Bd',
      });
      expect(f.calls).toEqual(['getContext', 'getCurExternalContact']);
    }
  });

  it('sends a customer group to the group view', async () => {
    const f = fakeAdapter('group_chat_tools', { chat: 'wrOgQh' });
    expect(await decideEntry(async () => f.adapter)).toEqual({ kind: 'group', path: '/group/wrOgQh' });
    expect(f.calls).toEqual(['getContext', 'getCurExternalChat']);
  });

  it('sends any other entry (workbench, app message) to my tasks', async () => {
    for (const entry of ['normal', 'chat_attachment', 'single_kf_tools']) {
      expect(await decideEntry(async () => fakeAdapter(entry).adapter)).toEqual({
        kind: 'tasks',
        path: '/tasks',
      });
    }
  });

  it('calls it "outside WeCom" when the adapter or getContext fails or never answers', async () => {
    expect(
      await decideEntry(async () => {
        throw new WeComCallError('getContext:fail not in wecom');
      }),
    ).toEqual({ kind: 'outside', reason: 'getContext:fail not in wecom' });
    const hanging = { ...fakeAdapter('normal').adapter, getContext: () => new Promise<never>(() => {}) };
    expect(await decideEntry(async () => hanging, 20)).toEqual({
      kind: 'outside',
      reason: 'getContext timed out',
    });
  });

  it('lets a failing getCurExternalContact surface as an error (the view offers 重试)', async () => {
    const f = fakeAdapter('single_chat_tools');
    f.adapter.getCurExternalContact = async () => {
      throw new WeComCallError('getCurExternalContact:fail no permission');
    };
    await expect(decideEntry(async () => f.adapter)).rejects.toThrow('no permission');
  });
});

describe('looksLikeWeCom', () => {
  it('recognises WeCom webviews by user agent', () => {
    expect(looksLikeWeCom('Mozilla/5.0 (iPhone) AppleWebKit MicroMessenger/8.0 wxwork/4.1.22')).toBe(true);
    expect(looksLikeWeCom('Mozilla/5.0 (Windows NT 10.0) wxwork/4.1.20 (MicroMessenger/6.2)')).toBe(true);
    expect(looksLikeWeCom('Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0')).toBe(false);
  });
});
