/** Topics as solve and reset see them: deleting some, and telling whether records keep arriving in one. */

import { topicOffsets } from '#checks/clients/kafka-read.js';
import type { Services } from '#checks/clients/services.js';
import { TimeoutError } from '#core/errors.js';
import { NotYet, waitFor } from '#core/wait.js';

export async function deleteTopics(services: Services, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await services.withKafkaAdmin(async (admin) => {
    try {
      await admin.deleteTopics({ topics: names, timeout: 10_000 });
    } catch (error) {
      // A topic listed a moment ago was deleted meanwhile (by ksqlDB dropping a stream, say): delete what is left.
      if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      const left = (await admin.listTopics()).filter((t) => names.includes(t));
      if (left.length > 0) await admin.deleteTopics({ topics: left, timeout: 10_000 });
    }
  });
}

export const sumOfOffsets = (offsets: { high: bigint }[]) => offsets.reduce((total, o) => total + o.high, 0n);

/**
 * Whether records keep arriving in a topic: its end offsets grow within the window. A topic that does not exist
 * receives nothing.
 */
export async function topicIsReceiving(services: Services, topic: string, windowMs: number): Promise<boolean> {
  const topics = await services.withKafkaAdmin((admin) => admin.listTopics());
  if (!topics.includes(topic)) return false;
  const before = sumOfOffsets(await topicOffsets(services, topic));
  try {
    await waitFor({
      what: `new records in "${topic}"`,
      timeoutMs: windowMs,
      intervalMs: 250,
      probe: async () => (sumOfOffsets(await topicOffsets(services, topic)) > before ? true : new NotYet('none')),
    });
    return true;
  } catch (error) {
    if (error instanceof TimeoutError) return false;
    throw error;
  }
}
