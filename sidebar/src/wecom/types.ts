/** Where WeCom opened the page (getContext's `entry`). */
export type WeComEntry =
  | 'contact_profile'
  | 'single_chat_tools'
  | 'group_chat_tools'
  | 'chat_attachment'
  | 'single_kf_tools'
  | 'normal'
  | (string & {});

export type ChatMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'news'; news: { link: string; title: string; desc: string; imgUrl: string } };

export interface OpenChatTarget {
  externalUserIds?: string[];
  userIds?: string[];
  chatId?: string;
}

/**
 * The WeCom client calls the sidebar makes. Inside WeCom they go to `@wecom/jssdk`; in demo mode
 * to the demo chat window over postMessage. Views only ever see this interface.
 */
export interface WeComAdapter {
  readonly kind: 'wecom' | 'demo';
  getContext(): Promise<{ entry: WeComEntry }>;
  getCurExternalContact(): Promise<string>;
  getCurExternalChat(): Promise<string>;
  sendChatMessage(message: ChatMessage): Promise<void>;
  openEnterpriseChat(target: OpenChatTarget): Promise<void>;
}

/** A WeCom client call failed; `message` is WeCom's errMsg (e.g. `sendChatMessage:fail no permission`). */
export class WeComCallError extends Error {
  override name = 'WeComCallError';
}
