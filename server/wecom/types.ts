// WeCom server API request and response shapes. Response fields keep WeCom's snake_case names;
// the client's method inputs are camelCase and mapped to these on the wire.

/** Every WeCom answer. The client throws on a non-zero errcode, so callers only see 0 here. */
export interface WeComResponse {
  errcode: number;
  errmsg: string;
}

// ---- credentials ------------------------------------------------------------------------------

export interface AccessTokenResponse extends WeComResponse {
  access_token: string;
  expires_in: number;
}

export interface TicketResponse extends WeComResponse {
  ticket: string;
  expires_in: number;
}

// ---- customers ---------------------------------------------------------------------------------

export interface ExternalContact {
  external_userid: string;
  name: string;
  avatar?: string;
  /** 1 WeChat user, 2 WeCom user */
  type: 1 | 2;
  /** 0 unknown, 1 male, 2 female */
  gender?: 0 | 1 | 2;
  unionid?: string;
  position?: string;
  corp_name?: string;
  corp_full_name?: string;
  external_profile?: unknown;
}

export interface FollowUserTag {
  group_name: string;
  tag_name: string;
  tag_id?: string;
  /** 1 corp tag, 2 personal tag, 3 rule-group tag */
  type: number;
}

interface FollowCommon {
  userid: string;
  remark?: string;
  description?: string;
  createtime: number;
  remark_corp_name?: string;
  remark_mobiles?: string[];
  oper_userid?: string;
  add_way?: number;
  /** the channel code (`state`) of the contact way used */
  state?: string;
}

/** `follow_user[]` of externalcontact/get */
export interface FollowUser extends FollowCommon {
  tags?: FollowUserTag[];
}

/** `follow_info` of externalcontact/batch/get_by_user */
export interface FollowInfo extends FollowCommon {
  tag_id?: string[];
}

export interface GetExternalContactResponse extends WeComResponse {
  external_contact: ExternalContact;
  follow_user: FollowUser[];
  next_cursor?: string;
}

export interface BatchGetByUserResponse extends WeComResponse {
  external_contact_list: Array<{ external_contact: ExternalContact; follow_info: FollowInfo }>;
  next_cursor?: string;
}

export interface ListExternalContactsResponse extends WeComResponse {
  external_userid: string[];
}

export interface FollowUserListResponse extends WeComResponse {
  follow_user: string[];
}

// ---- tags --------------------------------------------------------------------------------------

export interface CorpTag {
  id: string;
  name: string;
  create_time?: number;
  order: number;
  deleted?: boolean;
}

export interface CorpTagGroup {
  group_id: string;
  group_name: string;
  create_time?: number;
  order: number;
  deleted?: boolean;
  tag: CorpTag[];
}

export interface CorpTagListResponse extends WeComResponse {
  tag_group: CorpTagGroup[];
}

export interface AddCorpTagResponse extends WeComResponse {
  tag_group: CorpTagGroup;
}

// ---- messages ----------------------------------------------------------------------------------

/** Attachments of send_welcome_msg and add_msg_template (at most 9). */
export type WeComAttachment =
  | { msgtype: 'image'; image: { media_id: string } | { pic_url: string } }
  | { msgtype: 'link'; link: { title: string; url: string; picurl?: string; desc?: string } }
  | {
      msgtype: 'miniprogram';
      miniprogram: { title: string; pic_media_id: string; appid: string; page: string };
    }
  | { msgtype: 'video'; video: { media_id: string } }
  | { msgtype: 'file'; file: { media_id: string } };

export interface AddMsgTemplateResponse extends WeComResponse {
  msgid: string;
  /** recipients WeCom refused (not a customer of the sender…) */
  fail_list: string[];
}

export interface GroupMsgTask {
  userid: string;
  /** 0 not sent, 2 sent */
  status: number;
  send_time?: number;
}

export interface GroupMsgTaskResponse extends WeComResponse {
  task_list: GroupMsgTask[];
  next_cursor?: string;
}

export interface GroupMsgSendResult {
  external_userid?: string;
  chat_id?: string;
  userid: string;
  /** 0 not sent, 1 sent, 2 not a friend, 3 already received another mass message */
  status: number;
  send_time?: number;
}

export interface GroupMsgSendResultResponse extends WeComResponse {
  send_list: GroupMsgSendResult[];
  next_cursor?: string;
}

export type AppMessageBody =
  | { msgtype: 'text'; text: { content: string } }
  | {
      msgtype: 'textcard';
      textcard: { title: string; description: string; url: string; btntxt?: string };
    }
  | { msgtype: 'markdown'; markdown: { content: string } };

export interface SendAppMessageResponse extends WeComResponse {
  msgid?: string;
  /** `a|b`, as WeCom answers */
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
  response_code?: string;
}

/** What sendAppMessage resolves with: WeCom's `|`-joined lists split into arrays. */
export interface AppMessageResult {
  msgid: string | undefined;
  invaliduser: string[];
  unlicenseduser: string[];
}

export type RobotMessage =
  | {
      msgtype: 'text';
      text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] };
    }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | {
      msgtype: 'news';
      news: { articles: Array<{ title: string; description?: string; url: string; picurl?: string }> };
    };

// ---- customer groups ---------------------------------------------------------------------------

export interface GroupChatListResponse extends WeComResponse {
  group_chat_list: Array<{ chat_id: string; status: number }>;
  next_cursor?: string;
}

export interface GroupChatMember {
  userid: string;
  /** 1 staff, 2 external */
  type: 1 | 2;
  unionid?: string;
  join_time: number;
  join_scene: number;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
}

export interface GroupChat {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice?: string;
  member_list: GroupChatMember[];
  admin_list?: Array<{ userid: string }>;
  member_version?: string;
}

export interface GroupChatGetResponse extends WeComResponse {
  group_chat: GroupChat;
}

// ---- statistics --------------------------------------------------------------------------------

export interface UserBehaviorDay {
  stat_time: number;
  chat_cnt?: number;
  message_cnt?: number;
  reply_percentage?: number;
  avg_reply_time?: number;
  negative_feedback_cnt?: number;
  new_apply_cnt?: number;
  new_contact_cnt?: number;
}

export interface UserBehaviorDataResponse extends WeComResponse {
  behavior_data: UserBehaviorDay[];
}

// ---- contact ways ------------------------------------------------------------------------------

export interface ContactWayInput {
  /** 1 one member, 2 several */
  type: 1 | 2;
  /** 1 mini-program button, 2 QR code */
  scene: 1 | 2;
  style?: number;
  remark?: string;
  skipVerify?: boolean;
  /** the channel code returned as `State` in add_external_contact (≤ 30 characters) */
  state?: string;
  user?: string[];
  party?: number[];
  isTemp?: boolean;
  expiresIn?: number;
  chatExpiresIn?: number;
  unionid?: string;
  conclusions?: unknown;
}

export type ContactWayUpdate = Partial<Omit<ContactWayInput, 'type' | 'scene' | 'isTemp'>>;

export interface AddContactWayResponse extends WeComResponse {
  config_id: string;
  qr_code?: string;
}

export interface ContactWay {
  config_id: string;
  type: number;
  scene: number;
  style?: number;
  remark?: string;
  skip_verify?: boolean;
  state?: string;
  qr_code?: string;
  user?: string[];
  party?: number[];
  is_temp?: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  conclusions?: unknown;
}

export interface GetContactWayResponse extends WeComResponse {
  contact_way: ContactWay;
}

// ---- staff -------------------------------------------------------------------------------------

/** auth/getuserinfo (`userid`) or the older user/getuserinfo (`UserId`) */
export interface UserInfoByCodeResponse extends WeComResponse {
  userid?: string;
  UserId?: string;
  openid?: string;
  OpenId?: string;
  user_ticket?: string;
  DeviceId?: string;
  external_userid?: string;
}

export interface UserResponse extends WeComResponse {
  userid: string;
  name?: string;
  department?: number[];
  main_department?: number;
  position?: string;
  mobile?: string;
  gender?: string;
  email?: string;
  avatar?: string;
  thumb_avatar?: string;
  /** 1 active, 2 disabled, 4 not yet active, 5 left */
  status?: number;
}
