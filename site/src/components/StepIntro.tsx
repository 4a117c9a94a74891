/**
 * What a step builds, under its title: the pipeline with the step's part marked, and the ideas from the talk it puts
 * to work, each with its slides. Placed after a guide's first heading by plugins/remark-step-intro.ts.
 */
import { useDoc } from '@docusaurus/plugin-content-docs/client';
import { usePluginData } from '@docusaurus/useGlobalData';
import type { ReactElement } from 'react';
import type { SiteStep } from '../../course-data';
import EngineSwitch from './EngineSwitch';
import PipelineDiagram from './PipelineDiagram';

export default function StepIntro(): ReactElement | null {
  const { metadata } = useDoc();
  const { steps } = usePluginData('course-data') as { steps: SiteStep[] };
  const step = steps.find((s) => s.docId === metadata.id && metadata.id.endsWith('/guide'));
  if (!step) return null;
  return (
    <>
      <EngineSwitch step={step} />
      <PipelineDiagram
        active={step.stage}
        engine={step.engine}
        title={`Step ${step.number} of the pipeline: ${step.title}`}
      />
      {step.concepts.length > 0 && (
        <aside className="concepts" aria-label="Concepts from the talk">
          <strong>Concepts from the talk</strong>
          <dl>
            {step.concepts.map((c) => (
              <div key={c.id} data-concept={c.id}>
                <dt>
                  {c.title} <span className="slides">({/^\d/.test(c.slides) ? `slides ${c.slides}` : c.slides})</span>
                </dt>
                <dd>{c.summary}</dd>
              </div>
            ))}
          </dl>
        </aside>
      )}
    </>
  );
}
