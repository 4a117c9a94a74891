/**
 * The kit's one way to make a kafkajs client. kafkajs prints its own log to the console by default, which would land
 * in the middle of the kit's output: here it logs nothing unless the caller asks for a level (and a logCreator).
 * Every other setting is the caller's own; what a caller leaves out keeps kafkajs' default (connectionTimeout 1 s,
 * requestTimeout 30 s, 5 retries), so that each caller states what it relies on.
 */
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

export interface KafkaClientOptions extends Omit<KafkaConfig, 'brokers'> {
  /** One bootstrap address ("127.0.0.1:9092") or several. */
  brokers: string | string[];
}

export function kafkaClient({ brokers, ...settings }: KafkaClientOptions): Kafka {
  return new Kafka({
    logLevel: logLevel.NOTHING,
    ...settings,
    brokers: typeof brokers === 'string' ? [brokers] : brokers,
  });
}
