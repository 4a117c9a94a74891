/** The landing page: what the learner builds, what they need, how to start. */
import Link from '@docusaurus/Link';
import { usePluginData } from '@docusaurus/useGlobalData';
import CodeBlock from '@theme/CodeBlock';
import Layout from '@theme/Layout';
import type { ReactElement } from 'react';
import type { SiteStep } from '../../course-data';
import PipelineDiagram from '../components/PipelineDiagram';

export default function Home(): ReactElement {
  const steps = (usePluginData('course-data') as { steps: SiteStep[] }).steps.filter((s) => s.engine === 'ksqldb');
  const first = steps[0];
  return (
    <Layout
      title="Build a streaming data pipeline"
      description="A hands-on workshop: Kafka, Debezium, ksqlDB, Elasticsearch, Kibana"
    >
      <main className="container margin-vert--lg">
        <h1>Build a streaming data pipeline</h1>
        <p>
          In {steps.length} steps you build the pipeline of the talk <em>Apache Kafka and ksqlDB in Action</em> on your
          own laptop: airline ratings stream into Kafka, customers stream out of MySQL with Debezium, ksqlDB filters,
          joins and counts them, Kafka Connect fills Elasticsearch for a Kibana dashboard, and an app pushes a
          notification for every unhappy platinum customer. After each step, <code>npm run check</code> says whether
          that stage really works, and if not, what to fix.
        </p>
        <PipelineDiagram />
        <h2>What you need</h2>
        <ul>
          <li>Node.js 20.19 or newer, with npm.</li>
          <li>
            Docker with Compose v2 (Docker Desktop, or Docker Engine on Linux/WSL2), with 6 GB of memory for Docker.
          </li>
          <li>This kit's folder, and about three hours.</li>
        </ul>
        <h2>Start</h2>
        <p>Check the laptop, then start the platform (the first start downloads the images: do it before the day):</p>
        <CodeBlock language="sh">{'npm install\nnpm run preflight\nnpm run up'}</CodeBlock>
        <h2>The steps</h2>
        <ol>
          {steps.map((step) => (
            <li key={step.id}>
              <Link to={`/steps/${step.id}`}>{step.title}</Link>
              {step.concepts.length > 0 && (
                <span className="step-concepts"> — {step.concepts.map((c) => c.title).join(', ')}</span>
              )}
            </li>
          ))}
        </ol>
        {first && (
          <p>
            <Link className="button button--primary button--lg" to={`/steps/${first.id}`}>
              Start with step 1
            </Link>
          </p>
        )}
      </main>
    </Layout>
  );
}
