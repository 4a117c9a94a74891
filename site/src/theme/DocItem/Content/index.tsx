/**
 * Each step page: the guide as written, framed by what the step's own files say. Under its title, the pipeline with
 * this step's part marked and the ideas from the talk it puts to work (components/StepIntro.tsx, placed by
 * plugins/remark-step-intro.ts); below it, the check command with what a pass means
 * (each expectation in the check's words), the files `npm run solve` applies (exactly those files), troubleshooting
 * for each thing the check can report (the hint the check prints with it) and the step's hints, folded until opened.
 */
import { useDoc } from '@docusaurus/plugin-content-docs/client';
import type { WrapperProps } from '@docusaurus/types';
import { usePluginData } from '@docusaurus/useGlobalData';
import CodeBlock from '@theme/CodeBlock';
import type ContentType from '@theme/DocItem/Content';
import Content from '@theme-original/DocItem/Content';
import type { ReactElement } from 'react';
import type { SiteStep } from '../../../../course-data';

type Props = WrapperProps<typeof ContentType>;

export default function ContentWrapper(props: Props): ReactElement {
  const { metadata } = useDoc();
  const { steps } = usePluginData('course-data') as { steps: SiteStep[] };
  const step = steps.find((s) => s.docId === metadata.id && metadata.id.endsWith('/guide'));
  if (!step) return <Content {...props} />;
  return (
    <>
      <Content {...props} />
      <section className="step-extras" data-step={step.id}>
        <h2>What the check looks at</h2>
        <p>
          <code>npm run check {step.id}</code> passes when, for each thing it looks at:
        </p>
        <ul className="pass-means">
          {step.expectations.map((e) => (
            <li key={e.object}>
              ✓ <strong>{e.object}</strong>: {e.expected}
            </li>
          ))}
        </ul>
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
          <summary>Troubleshooting: when the check reports a ✗</summary>
          <p>
            The check names what it found wrong. Find that name here; the same advice follows the ✗ in your terminal.
            When it says a service is not reachable or still starting, the platform is the problem, not your solution:
            run <code>npm run status</code>.
          </p>
          <ul>
            {step.expectations.map((e) => (
              <li key={`${e.object}-${e.hint}`}>
                ✗ <strong>{e.object}</strong>: {e.hint}
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
