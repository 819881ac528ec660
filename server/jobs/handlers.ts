import type { AppContext } from '../context.js';
import type { JobHandlers } from '../queue/workers.js';
import type { Services } from '../services/container.js';

/** The registry: each job name → a thin handler (typed data in, a service call out). */
export function createJobHandlers(ctx: AppContext, services: Services): JobHandlers {
  return {
    'system.ping': async (data) => ({ pong: data.nonce }),
    'wecom.contact-event': (event) => services.contactSync.handleEvent(event),
    'wecom.chat-event': (event) => services.groupSync.handleEvent(event),
    'wecom.tag-event': () => services.tagCatalogue.resync(),
    'wecom.welcome': (data) => services.contactSync.sendWelcome(data),
    'wecom.full-sync': (_data, job) => services.fullSync.run(job.jobId),
    'staff.contact-lost-notice': (data) => services.contactSync.notifyContactLost(data),
    'bot.staff-message': async (message, job) => {
      // The bot answers task queries once the SOP engine lands; until then it only records.
      job.log.info({ from: message.FromUserName, content: message.Content }, 'staff message to the app');
      return { received: true };
    },
    'customers.refresh-derived': async () => ({
      changed: await services.customerInsights.refreshAllDerived(),
    }),
    'notes.remind': (data) => services.customerNotes.sendReminder(data.noteId),
  };
}
