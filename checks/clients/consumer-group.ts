/**
 * What a consumer group is doing on a topic, as Kafka's admin API says: its state, its members and the partitions
 * each reads, and per partition the committed offset and the lag behind the end of the topic.
 */
import kafkajs from 'kafkajs';
import { topicOffsets } from './kafka-read.js';
import type { Services } from './services.js';

export interface PartitionLag {
  partition: number;
  /** The next offset the group will read, or undefined when it has committed none on this partition. */
  committed: bigint | undefined;
  low: bigint;
  high: bigint;
  /** Records written and not yet consumed; undefined without a committed offset. */
  lag: bigint | undefined;
}

export interface GroupView {
  state: string;
  members: { clientId: string; host: string; topics: string[] }[];
  partitions: PartitionLag[];
}

/** The topics a member was assigned, from its assignment in the consumer protocol. */
function assignedTopics(assignment: Buffer): string[] {
  try {
    const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(assignment);
    return decoded ? Object.keys(decoded.assignment) : [];
  } catch {
    return [];
  }
}

export async function viewGroup(services: Services, group: string, topic: string): Promise<GroupView> {
  const [topics, described, committed] = await services.withKafkaAdmin(async (admin) => {
    // Listing topics loads the cluster's metadata first: a new admin client asked for a group's coordinator without
    // it answers "No brokers in the broker pool".
    const names = await admin.listTopics();
    return [
      names,
      await admin.describeGroups([group]),
      await admin.fetchOffsets({ groupId: group, topics: [topic] }).catch(() => []),
    ] as const;
  });
  const info = described.groups[0];
  const offsets = topics.includes(topic) ? await topicOffsets(services, topic) : [];
  const committedOf = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset) >= 0 ? BigInt(p.offset) : undefined]),
  );
  return {
    state: info?.state ?? 'Dead',
    members: (info?.members ?? []).map((m) => ({
      clientId: m.clientId,
      host: m.clientHost,
      topics: assignedTopics(m.memberAssignment),
    })),
    partitions: offsets.map((o) => {
      const at = committedOf.get(o.partition);
      return {
        partition: o.partition,
        committed: at,
        low: o.low,
        high: o.high,
        lag: at === undefined ? undefined : o.high - at,
      };
    }),
  };
}

export const totalLag = (view: GroupView): bigint => view.partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n);
