import type { AppContext } from '../context.js';
import type { JobHandlers } from '../queue/workers.js';
import type { Services } from '../services/container.js';

/** The registry: each job name → a thin handler (typed data in, a service call out). */
export function createJobHandlers(_ctx: AppContext, services: Services): JobHandlers {
  return {
    'system.ping': async (data) => ({ pong: data.nonce }),
    'wecom.contact-event': (event, job) => services.contactSync.handleEvent(event, job.attempt),
    'wecom.chat-event': (event) => services.groupSync.handleEvent(event),
    'wecom.tag-event': () => services.tagCatalogue.resync(),
    'wecom.welcome': (data) => services.contactSync.sendWelcome(data),
    'wecom.full-sync': (_data, job) => services.fullSync.run(job.jobId),
    'staff.contact-lost-notice': (data) => services.contactSync.notifyContactLost(data),
    'bot.staff-message': (message) => services.sop.bot.staffMessage(message),
    'customers.refresh-derived': async () => ({
      changed: await services.customerInsights.refreshAllDerived(),
    }),
    'notes.remind': (data) => services.customerNotes.sendReminder(data.noteId),
    'sop.run-rule': (data) => services.sop.engine.runRule(data.ruleId, { scheduled: data.scheduled }),
    'sop.evaluate-customers': (data) => services.sop.engine.evaluateCustomers(data.externalUserids),
    'sop.sync-schedules': () => services.sop.rules.syncSchedules(),
    'sop.outcomes': (data) => services.sop.outcomes.update(data.externalUserids),
    'sop.remind-staff': () => services.sop.tasks.remind(),
    'sop.mass-dispatch': () => services.sop.massSends.dispatch(),
    'sop.mass-poll': () => services.sop.massSends.poll(),
    'sop.daily-report': () => services.sop.bot.dailyReport(),
    'reports.sync-behavior': () => services.sop.behaviorSync.run(),
    'channels.apply-tags': (data) => services.channels.applyTags(data),
    'data-quality.scan': () => services.dataQuality.scan(),
  };
}
