/**
 * Each step page: the guide as written, framed by what the step's own files say. Above it, the pipeline with this
 * step's part marked; below it, the files `npm run solve` applies (exactly those files), the check's troubleshooting
 * (each expectation's hint, as the check prints it) and the step's hints, folded until opened.
 */
import { useDoc } from '@docusaurus/plugin-content-docs/client';
import type { WrapperProps } from '@docusaurus/types';
import { usePluginData } from '@docusaurus/useGlobalData';
import CodeBlock from '@theme/CodeBlock';
import type ContentType from '@theme/DocItem/Content';
import Content from '@theme-original/DocItem/Content';
import type { ReactElement } from 'react';
import type { SiteStep } from '../../../../course-data';
import PipelineDiagram from '../../../components/PipelineDiagram';

type Props = WrapperProps<typeof ContentType>;

export default function ContentWrapper(props: Props): ReactElement {
  const { metadata } = useDoc();
  const { steps } = usePluginData('course-data') as { steps: SiteStep[] };
  const step = steps.find((s) => s.docId === metadata.id && metadata.id.endsWith('/guide'));
  if (!step) return <Content {...props} />;
  return (
    <>
      <PipelineDiagram active={step.stage} title={`Step ${step.number} of the pipeline: ${step.title}`} />
      <Content {...props} />
      <section className="step-extras" data-step={step.id}>
        <h2>Check this step</h2>
        <CodeBlock language="sh">{`npm run check ${step.id}`}</CodeBlock>
        {step.solutionFiles.length > 0 && (
          <details className="solution-files">
            <summary>What npm run solve {step.id} applies</summary>
            <p>
              Stuck, or joining late? <code>npm run solve {step.id}</code> applies the reference solutions of every step
              up to this one. This step's files, exactly as it applies them:
            </p>
            {step.solutionFiles.map((file) => (
              <CodeBlock key={file.path} language={file.language} title={file.path}>
                {file.text}
              </CodeBlock>
            ))}
          </details>
        )}
        <details className="troubleshooting">
          <summary>Troubleshooting: what the check looks at</summary>
          <ul>
            {step.troubleshooting.map((t) => (
              <li key={`${t.what}-${t.hint}`}>
                <strong>{t.what}</strong>: {t.hint}
              </li>
            ))}
          </ul>
        </details>
        {step.hints.length > 0 && (
          <details className="hints">
            <summary>Hints</summary>
            <ul>
              {step.hints.map((hint) => (
                <li key={hint}>{hint}</li>
              ))}
            </ul>
          </details>
        )}
      </section>
    </>
  );
}
