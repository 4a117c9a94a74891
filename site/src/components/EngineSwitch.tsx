/**
 * On a step that has a page per engine (ksqlDB, Flink SQL): which engine this page is for, and the other's page. The
 * choice is remembered in this browser, as the OS tabs are: a learner in a Flink room who picks Flink SQL once is taken
 * to the Flink SQL page of every later step that has one.
 */
import { useHistory } from '@docusaurus/router';
import { type ReactElement, useEffect } from 'react';
import type { SiteStep } from '../../course-data';

export const engineStorageKey = 'workshop.engine';

/** The engine this browser chose, marked on the page's root so the site can show what goes with it. */
export function storedEngine(): string | undefined {
  try {
    return window.localStorage.getItem(engineStorageKey) ?? undefined;
  } catch {
    return undefined;
  }
}

export default function EngineSwitch({ step }: { step: SiteStep }): ReactElement | null {
  const history = useHistory();
  useEffect(() => {
    const chosen = storedEngine();
    const wanted = step.variants.find((v) => v.engine === chosen);
    if (wanted && wanted.engine !== step.engine) history.replace(wanted.path);
  }, [step, history]);
  if (step.variants.length < 2) return null;
  const choose = (engine: string, path: string) => {
    try {
      window.localStorage.setItem(engineStorageKey, engine);
    } catch {
      // a browser that keeps nothing: the link still goes there
    }
    history.push(path);
  };
  return (
    <nav className="engine-switch" aria-label="The engine this step runs on">
      <span>This step with</span>
      {step.variants.map((v) =>
        v.engine === step.engine ? (
          <strong key={v.engine} className="engine-switch__current" aria-current="page">
            {v.label}
          </strong>
        ) : (
          <a
            key={v.engine}
            href={v.path}
            onClick={(event) => {
              event.preventDefault();
              choose(v.engine, v.path);
            }}
          >
            {v.label}
          </a>
        ),
      )}
      <span className="engine-switch__note">your room's engine: npm run status says which</span>
    </nav>
  );
}
