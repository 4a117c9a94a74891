/**
 * The pipeline the workshop builds, as an SVG drawn by React at build time (no script or image from the internet).
 * `active` marks the parts a step builds; the rest stay muted.
 */
import type { ReactElement } from 'react';

interface Node {
  id: string;
  label: string;
  x: number;
  y: number;
  w: number;
  topic?: boolean;
}

const h = 36;
const nodes: Node[] = [
  { id: 'producer', label: 'Producer app (kafkajs)', x: 8, y: 40, w: 180 },
  { id: 'mysql', label: 'MySQL: CUSTOMERS', x: 8, y: 200, w: 180 },
  { id: 'ratings', label: 'ratings', x: 212, y: 40, w: 110, topic: true },
  { id: 'debezium', label: 'Debezium (CDC)', x: 212, y: 200, w: 120 },
  // Beside the pipeline, not in it: the writers register schemas there and the readers fetch them (step 11).
  { id: 'registry', label: 'Schema Registry', x: 200, y: 120, w: 122 },
  { id: 'filter', label: 'POOR_RATINGS', x: 372, y: 40, w: 262, topic: true },
  { id: 'join', label: 'RATINGS_WITH_CUSTOMER_DATA', x: 372, y: 90, w: 262, topic: true },
  { id: 'unhappy', label: 'UNHAPPY_PLATINUM_CUSTOMERS', x: 372, y: 140, w: 262, topic: true },
  { id: 'counts', label: 'RATINGS_BY_CLUB_STATUS_1MIN', x: 372, y: 190, w: 262, topic: true },
  // Going further (step 12): nothing downstream reads it but the learner's own queries.
  { id: 'complainers', label: 'REPEAT_COMPLAINERS', x: 372, y: 240, w: 262, topic: true },
  // Going further (step 13): another source, monitored by the same ksqlDB.
  { id: 'syslog-source', label: 'Syslog (datagen)', x: 8, y: 290, w: 180 },
  { id: 'syslog', label: 'SYSLOG_INVALID_USERS', x: 372, y: 290, w: 262, topic: true },
  // Going further (step 14): the same enriched ratings, once more, into a warehouse.
  { id: 'warehouse-sink', label: 'JDBC sink', x: 666, y: 306, w: 146 },
  { id: 'warehouse', label: 'MySQL: warehouse', x: 834, y: 306, w: 148 },
  { id: 'sink', label: 'Kafka Connect sink', x: 666, y: 90, w: 146 },
  { id: 'elasticsearch', label: 'Elasticsearch', x: 834, y: 90, w: 148 },
  { id: 'kibana', label: 'Kibana dashboard', x: 834, y: 160, w: 148 },
  { id: 'notify', label: 'Notifications app', x: 666, y: 250, w: 146 },
  { id: 'slack', label: 'Slack webhook', x: 834, y: 250, w: 148 },
];

const edges: [string, string][] = [
  ['producer', 'ratings'],
  ['ratings', 'filter'],
  ['ratings', 'join'],
  ['mysql', 'debezium'],
  ['debezium', 'join'],
  ['join', 'unhappy'],
  ['join', 'counts'],
  ['join', 'complainers'],
  ['syslog-source', 'syslog'],
  ['join', 'warehouse-sink'],
  ['warehouse-sink', 'warehouse'],
  ['join', 'sink'],
  ['unhappy', 'sink'],
  ['counts', 'sink'],
  ['sink', 'elasticsearch'],
  ['elasticsearch', 'kibana'],
  ['unhappy', 'notify'],
  ['notify', 'slack'],
];

const byId = new Map(nodes.map((n) => [n.id, n]));

/**
 * Who uses the Schema Registry (step 11), drawn dashed: they exchange schemas, not records. Debezium's Avro converter
 * registers the customers' schema; ksqlDB registers RATINGS_AVRO's and reads the customers' to declare a stream.
 */
const schemaLinks: { id: string; d: string; title: string }[] = [
  {
    id: 'debezium-registry',
    d: 'M261,200 L261,158',
    title: 'Debezium registers the schema it writes with',
  },
  { id: 'ksqldb-registry', d: 'M346,138 L324,138', title: 'ksqlDB registers and reads schemas' },
];

function edgePath(from: Node, to: Node): string {
  // One stream made from another in ksqlDB: a curve along the boxes' left side, wider the further it goes.
  if (Math.abs(from.x - to.x) < 10) {
    const out = from.x - 8 - (to.y - from.y) / 10;
    return `M${from.x},${from.y + h / 2} C${out},${from.y + h / 2} ${out},${to.y + h / 2} ${to.x},${to.y + h / 2}`;
  }
  const x1 = from.x + from.w;
  const y1 = from.y + h / 2;
  const x2 = to.x;
  const y2 = to.y + h / 2;
  const mid = (x1 + x2) / 2;
  return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
}

export default function PipelineDiagram({
  active = [],
  title = 'The streaming pipeline',
  engine = 'ksqldb',
}: {
  active?: string[];
  title?: string;
  /** The engine of the page: a Flink SQL page names the box after Flink and its outputs after their tables. */
  engine?: string;
}): ReactElement {
  const on = new Set(active);
  const marked = (id: string) => on.size === 0 || on.has(id);
  const ksqldbOn =
    marked('ksqldb') || ['filter', 'join', 'unhappy', 'counts', 'complainers', 'syslog'].some((id) => on.has(id));
  return (
    <figure className="pipeline-diagram">
      <svg viewBox="0 0 990 396" role="img" aria-labelledby="pipeline-title" data-active={active.join(' ')}>
        <title id="pipeline-title">{title}</title>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" className="pipeline-arrow" />
          </marker>
        </defs>
        <rect
          x="190"
          y="356"
          width="620"
          height="30"
          rx="6"
          className={`pipeline-kafka${marked('kafka') ? ' on' : ''}`}
        />
        <text x="500" y="376" textAnchor="middle" className="pipeline-kafka-label">
          Apache Kafka: every arrow between the apps is a topic
        </text>
        <rect x="346" y="12" width="300" height="332" rx="10" className={`pipeline-ksqldb${ksqldbOn ? ' on' : ''}`} />
        <text x="496" y="30" textAnchor="middle" className="pipeline-group-label">
          {engine === 'flink' ? 'Flink SQL' : on.has('headless') ? 'ksqlDB, headless: queries.sql' : 'ksqlDB'}
        </text>
        {edges.map(([a, b]) => {
          const from = byId.get(a) as Node;
          const to = byId.get(b) as Node;
          return (
            <path
              key={`${a}-${b}`}
              d={edgePath(from, to)}
              className={`pipeline-edge${marked(a) && marked(b) ? ' on' : ''}`}
              markerEnd="url(#arrow)"
            />
          );
        })}
        {schemaLinks.map((link) => (
          <path
            key={link.id}
            d={link.d}
            className={`pipeline-edge pipeline-schema${marked('registry') ? ' on' : ''}`}
            markerEnd="url(#arrow)"
            data-link={link.id}
          >
            <title>{link.title}</title>
          </path>
        ))}
        {nodes.map((n) => (
          <g key={n.id} className={`pipeline-node${marked(n.id) ? ' on' : ''}`} data-node={n.id}>
            <rect x={n.x} y={n.y} width={n.w} height={h} rx={n.topic ? 18 : 6} />
            <text x={n.x + n.w / 2} y={n.y + h / 2 + 5} textAnchor="middle" className={n.topic ? 'topic' : undefined}>
              {engine === 'flink' && n.topic && n.x > 300 ? n.label.toLowerCase() : n.label}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
