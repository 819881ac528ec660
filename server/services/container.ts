import type { AppContext } from '../context.js';
import { ruleSchedules, sopJobs } from '../jobs/sop-producer.js';
import { WeComClient } from '../wecom/client.js';
import { CustomerAccess } from './access/customer-access.js';
import { AnalyticsService } from './analytics/index.js';
import { ChannelService } from './channels/channel-service.js';
import { CustomerInsights } from './customers/insights.js';
import type { TagsAddedHook } from './customers/tag-timeline.js';
import { DataQualityService } from './data-quality/data-quality.js';
import { IngestService } from './ingest/ingest-service.js';
import { createSidebarServices } from './sidebar/index.js';
import { createSopServices } from './sop/index.js';
import { CallbackIntake } from './wecom-sync/callback-intake.js';
import { ContactSyncService } from './wecom-sync/contact-sync.js';
import { FullSyncService } from './wecom-sync/full-sync.js';
import { GroupSyncService } from './wecom-sync/group-sync.js';
import { TagCatalogueService } from './wecom-sync/tag-catalogue.js';

/**
 * Builds every service once per process from the shared infrastructure. Routes and job handlers
 * receive services from here; services never construct their own clients.
 */
export function createServices(ctx: AppContext) {
  const callbackIntake = new CallbackIntake(ctx.jobs);
  const wecom = new WeComClient({
    // read on every call: demo mode points it at the simulator once that has started
    apiBase: () => ctx.config.wecom.apiBase,
    corpId: ctx.config.wecom.corpId,
    secret: ctx.config.wecom.secret,
    agentId: ctx.config.wecom.agentId,
    redis: ctx.redis,
    logger: ctx.logger,
    keyPrefix: ctx.jobs.prefix,
  });
  const { db, clock, logger } = ctx;
  const customerInsights = new CustomerInsights({ db: ctx.db, clock: ctx.clock });
  // contact sync, sidebar tag edits and channel codes tell the SOP engine which tags they added
  // (it decides which matter, from the watched tag names it keeps for a few seconds)
  const tagsAdded: TagsAddedHook = (added) => sop.engine.onTagsAdded(added);
  const channels = new ChannelService({ db, clock, logger, wecom, tagsAdded });
  const contactSync = new ContactSyncService({
    db,
    wecom,
    clock,
    logger,
    insights: customerInsights,
    channels: {
      welcomeTextFor: (state) => channels.welcomeTextFor(state),
      // the channel's tags are applied by a job of their own: WeCom calls never hold up the sync
      contactAdded: async (input) => {
        await ctx.jobs.enqueue('channels.apply-tags', input, {
          jobId: `chtags-${input.externalUserid}-${input.userid}-${input.eventTime}`,
        });
      },
    },
    tagsAdded,
    notifier: {
      contactLost: async (input) => {
        await ctx.jobs.enqueue('staff.contact-lost-notice', input, {
          jobId: `lost-${input.externalUserid}-${input.userid}-${input.eventTime}`,
        });
      },
    },
  });
  const groupSync = new GroupSyncService({ db, wecom, clock });
  const tagCatalogue = new TagCatalogueService({ db, wecom, clock });
  const fullSync = new FullSyncService({ db, wecom, clock, logger, groups: groupSync, tags: tagCatalogue });
  const ingest = new IngestService({ db: ctx.db, clock: ctx.clock, insights: customerInsights });
  const access = new CustomerAccess({ db });
  const sop = createSopServices({
    db,
    clock,
    logger,
    wecom,
    jobs: sopJobs(ctx.jobs),
    schedules: ruleSchedules(ctx.jobs),
    publicUrl: ctx.config.publicUrl,
    botWebhookKey: ctx.config.wecom.botWebhookKey,
  });
  return {
    sop,
    access,
    channels,
    analytics: new AnalyticsService({ db, clock }),
    dataQuality: new DataQualityService({ db, clock, logger }),
    ...createSidebarServices(ctx, { wecom, access, tagsAdded }),
    customerInsights,
    ingest,
    callbackIntake,
    wecom,
    contactSync,
    groupSync,
    tagCatalogue,
    fullSync,
  };
}

export type Services = ReturnType<typeof createServices>;
