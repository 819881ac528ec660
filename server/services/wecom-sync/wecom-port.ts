/**
 * The slice of the WeCom API the sync services use, in WeCom's own field names. The WeCom
 * client satisfies it; keeping it narrow keeps the services honest about what they call.
 */
export interface WeComFollowUser {
  userid: string;
  remark?: string;
  description?: string;
  createtime?: number;
  tags?: Array<{ tag_id?: string; type?: number }>;
  tag_id?: string[];
  remark_mobiles?: string[];
  add_way?: number;
  state?: string;
}

export interface WeComExternalContact {
  external_userid: string;
  name?: string;
  avatar?: string;
  type?: number;
  gender?: number;
  unionid?: string;
  corp_name?: string;
}

export interface WeComGroupChat {
  chat_id: string;
  name?: string;
  owner?: string;
  notice?: string;
  create_time?: number;
  member_version?: string;
  member_list?: Array<{
    userid: string;
    type: number;
    join_time?: number;
    join_scene?: number;
    invitor?: { userid?: string };
    group_nickname?: string;
    name?: string;
  }>;
}

export interface SyncWeComApi {
  getExternalContact(
    externalUserid: string,
    cursor?: string,
  ): Promise<{
    external_contact: WeComExternalContact;
    follow_user?: WeComFollowUser[];
    next_cursor?: string;
  }>;
  batchGetByUser(input: { useridList: string[]; cursor?: string; limit?: number }): Promise<{
    external_contact_list?: Array<{ external_contact: WeComExternalContact; follow_info: WeComFollowUser }>;
    next_cursor?: string;
  }>;
  getFollowUserList(): Promise<{ follow_user?: string[] }>;
  getUser(userid: string): Promise<{ userid: string; name?: string; avatar?: string; department?: number[] }>;
  getCorpTagList(input?: { tagIds?: string[]; groupIds?: string[] }): Promise<{
    tag_group?: Array<{
      group_id: string;
      group_name: string;
      order?: number;
      deleted?: boolean;
      tag?: Array<{ id: string; name: string; order?: number; deleted?: boolean }>;
    }>;
  }>;
  groupChatList(input: {
    statusFilter?: number;
    ownerUserids?: string[];
    cursor?: string;
    limit: number;
  }): Promise<{ group_chat_list?: Array<{ chat_id: string; status?: number }>; next_cursor?: string }>;
  groupChatGet(chatId: string): Promise<{ group_chat: WeComGroupChat }>;
  sendWelcomeMsg(input: { welcomeCode: string; text?: string }): Promise<unknown>;
  sendAppMessage(input: {
    touser: string[];
    msgtype: 'text' | 'textcard' | 'markdown';
    text?: { content: string };
    textcard?: { title: string; description: string; url: string; btntxt?: string };
    markdown?: { content: string };
  }): Promise<unknown>;
}
