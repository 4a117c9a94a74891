/** Every expectation kind the engine has. A step names them in its step.yaml. */
import type { ExpectationKind } from '#checks/kind.js';
import { avroRecords } from './avro-records.js';
import { changeArrives } from './change-arrives.js';
import { connectorRunning } from './connector-running.js';
import { connectorSecrets } from './connector-secrets.js';
import { consumerGroupLive } from './consumer-group-live.js';
import { deliveriesLogged } from './deliveries-logged.js';
import { elasticsearchIndex } from './elasticsearch-index.js';
import { flinkJob } from './flink-job.js';
import { flinkTable } from './flink-table.js';
import { kibanaDashboard } from './kibana-dashboard.js';
import { kibanaDataView } from './kibana-data-view.js';
import { ksqlFilter } from './ksql-filter.js';
import { ksqlHeadless } from './ksql-headless.js';
import { ksqlJoin } from './ksql-join.js';
import { ksqlObject } from './ksql-object.js';
import { ksqlWindowCounts } from './ksql-window-counts.js';
import { ksqlWindowHaving } from './ksql-window-having.js';
import { schemaSubject } from './schema-subject.js';
import { serviceReady } from './service-ready.js';
import { sinkTableRows } from './sink-table-rows.js';
import { tableInTopic } from './table-in-topic.js';
import { topicFilter } from './topic-filter.js';
import { topicJoin } from './topic-join.js';
import { topicRecords } from './topic-records.js';
import { topicWindowCounts } from './topic-window-counts.js';
import { topicWindowHaving } from './topic-window-having.js';
import { topicsAgree } from './topics-agree.js';

// biome-ignore lint/suspicious/noExplicitAny: each kind checks its own parameters in parse().
export const kinds: Record<string, ExpectationKind<any> & { probe?: boolean }> = Object.fromEntries(
  [
    serviceReady,
    topicRecords,
    connectorRunning,
    connectorSecrets,
    tableInTopic,
    changeArrives,
    ksqlObject,
    ksqlFilter,
    ksqlJoin,
    ksqlWindowCounts,
    ksqlWindowHaving,
    elasticsearchIndex,
    kibanaDataView,
    kibanaDashboard,
    consumerGroupLive,
    deliveriesLogged,
    schemaSubject,
    avroRecords,
    sinkTableRows,
    ksqlHeadless,
    topicsAgree,
    flinkTable,
    flinkJob,
    topicFilter,
    topicJoin,
    topicWindowCounts,
    topicWindowHaving,
  ].map((k) => [k.kind, k]),
);
