import type { AppContext } from '../../context.js';
import { OAuthStates } from '../../infra/oauth-states.js';
import type { WeComClient } from '../../wecom/client.js';
import type { CustomerAccess } from '../access/customer-access.js';
import { StaffLogin } from '../auth/staff-login.js';
import type { TagsAddedHook } from '../customers/tag-timeline.js';
import { CustomerProfiles } from './customer-profile.js';
import { CustomerTags } from './customer-tags.js';
import { GroupViews } from './group-view.js';
import { JssdkSigner } from './jssdk.js';
import { CustomerNotes } from './notes.js';
import { QuickReplies } from './quick-replies.js';

/** Staff login and the services behind the sidebar's API (customer 360, tags, notes, groups, …). */
export function createSidebarServices(
  ctx: AppContext,
  deps: {
    wecom: WeComClient;
    access: CustomerAccess;
    tagsAdded: TagsAddedHook;
  },
) {
  const { db, clock, logger, config } = ctx;
  const { wecom, access, tagsAdded } = deps;
  return {
    staffLogin: new StaffLogin({
      db,
      wecom,
      clock,
      logger,
      states: new OAuthStates(ctx.redis, ctx.jobs.prefix),
      config: {
        corpId: config.wecom.corpId,
        agentId: config.wecom.agentId,
        oauthBase: () => config.wecom.oauthBase,
        publicUrl: config.publicUrl,
        publicOrigin: config.publicOrigin,
        supervisorUserids: config.supervisorUserids,
        adminUserids: config.adminUserids,
      },
    }),
    customerProfiles: new CustomerProfiles({ db, clock, access }),
    customerTags: new CustomerTags({ db, clock, access, wecom, logger, tagsAdded }),
    customerNotes: new CustomerNotes({
      db,
      clock,
      access,
      wecom,
      publicUrl: config.publicUrl,
      scheduleReminder: async (noteId, delayMs) => {
        await ctx.jobs.enqueue('notes.remind', { noteId }, { jobId: `note-${noteId}`, delay: delayMs });
      },
    }),
    groupViews: new GroupViews({ db, clock, access }),
    jssdk: new JssdkSigner({ clock, wecom, publicOrigin: config.publicOrigin }),
    quickReplies: new QuickReplies({ db, clock, access }),
  };
}
