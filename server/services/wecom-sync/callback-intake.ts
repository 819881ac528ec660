import { createHash } from 'node:crypto';
import type { JobQueue } from '../../queue/job-queue.js';
import type { CallbackMessage } from '../../wecom/callback-events.js';

export type IntakeResult = 'enqueued' | 'duplicate' | 'ignored';

export interface IntakeDedupe {
  seen(hash: string): Promise<boolean>;
  remember(hash: string): Promise<void>;
}

/**
 * Takes a verified, decrypted callback into the queues. Callbacks carry no message id and WeCom
 * re-encrypts retries, so identity is the hash of the decrypted content: a redelivery hashes the
 * same and is dropped, while two different events in the same second hash differently.
 *
 * Order of steps: check → enqueue with the hash as job id → remember. Two concurrent deliveries
 * of one event both pass the check but BullMQ keeps one job per id; a crash before `remember`
 * at worst lets a redelivery after the job's removal run again, which the idempotent handlers
 * absorb. Nothing is remembered before the job is safely queued, so no event can be lost.
 */
export class CallbackIntake {
  constructor(
    private readonly jobs: JobQueue,
    private readonly dedupe: IntakeDedupe,
  ) {}

  async accept(plaintext: string, message: CallbackMessage): Promise<IntakeResult> {
    if (message.type === 'ignored') return 'ignored';
    const hash = createHash('sha256').update(plaintext).digest('hex');
    if (await this.dedupe.seen(hash)) return 'duplicate';
    const jobId = `cb-${hash}`;
    switch (message.type) {
      case 'contact': {
        const e = message.event;
        if (
          e.WelcomeCode &&
          (e.ChangeType === 'add_external_contact' || e.ChangeType === 'add_half_external_contact')
        ) {
          await this.jobs.enqueue(
            'wecom.welcome',
            {
              userid: e.UserID,
              externalUserid: e.ExternalUserID,
              welcomeCode: e.WelcomeCode,
              ...(e.State ? { state: e.State } : {}),
              eventTime: e.CreateTime,
            },
            { jobId: `welcome-${hash}`, attempts: 3, backoff: { type: 'fixed', delay: 500 } },
          );
        }
        await this.jobs.enqueue('wecom.contact-event', e, { jobId });
        break;
      }
      case 'chat':
        await this.jobs.enqueue('wecom.chat-event', message.event, { jobId });
        break;
      case 'tag':
        await this.jobs.enqueue('wecom.tag-event', message.event, { jobId });
        break;
      case 'staff_text':
        await this.jobs.enqueue('bot.staff-message', message.event, { jobId });
        break;
    }
    // Not awaited: the job id already dedupes while the job is retained; the marker only extends
    // that past the job's removal, so WeCom's answer need not wait for it.
    this.dedupe.remember(hash).catch(() => undefined);
    return 'enqueued';
  }
}
