import { createHash } from 'node:crypto';
import type { JobQueue } from '../../queue/job-queue.js';
import type { CallbackMessage } from '../../wecom/callback-events.js';

export type IntakeResult = 'enqueued' | 'duplicate' | 'ignored';

/** WeCom retries for up to a few minutes; three days leaves room for a manual redelivery. */
const REMEMBER_MS = 3 * 24 * 3600 * 1000;

/**
 * Takes a verified, decrypted callback into the queues. Callbacks carry no message id and WeCom
 * re-encrypts retries, so identity is the hash of the decrypted content: a redelivery hashes the
 * same and is dropped, while two different events in the same second hash differently.
 *
 * Each enqueue checks and records the hash in the same atomic step as the add, so nothing is
 * remembered unless its job is queued (no event can be lost) and concurrent deliveries of one
 * event keep one job. The welcome job and the sync job are deduplicated separately, so a
 * delivery that kept only one of them (Redis failed in between, WeCom retries) completes the
 * other on the retry.
 */
export class CallbackIntake {
  constructor(private readonly jobs: JobQueue) {}

  async accept(plaintext: string, message: CallbackMessage): Promise<IntakeResult> {
    if (message.type === 'ignored') return 'ignored';
    const hash = createHash('sha256').update(plaintext).digest('hex');
    const once = { id: `cb-${hash}`, ttlMs: REMEMBER_MS };
    let enqueued: Promise<boolean>;
    switch (message.type) {
      case 'contact': {
        const e = message.event;
        const welcome =
          e.WelcomeCode &&
          (e.ChangeType === 'add_external_contact' || e.ChangeType === 'add_half_external_contact')
            ? this.jobs.enqueueOnce(
                'wecom.welcome',
                {
                  userid: e.UserID,
                  externalUserid: e.ExternalUserID,
                  welcomeCode: e.WelcomeCode,
                  ...(e.State ? { state: e.State } : {}),
                  eventTime: e.CreateTime,
                },
                { id: `welcome-${hash}`, ttlMs: REMEMBER_MS },
                { attempts: 3, backoff: { type: 'fixed', delay: 500 } },
              )
            : undefined;
        const sync = this.jobs.enqueueOnce('wecom.contact-event', e, once);
        enqueued = welcome ? Promise.all([welcome, sync]).then(([, s]) => s) : sync;
        break;
      }
      case 'chat':
        enqueued = this.jobs.enqueueOnce('wecom.chat-event', message.event, once);
        break;
      case 'tag':
        enqueued = this.jobs.enqueueOnce('wecom.tag-event', message.event, once);
        break;
      case 'staff_text':
        enqueued = this.jobs.enqueueOnce('bot.staff-message', message.event, once);
        break;
    }
    return (await enqueued) ? 'enqueued' : 'duplicate';
  }
}
