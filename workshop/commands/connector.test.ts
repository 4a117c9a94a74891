import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { statusExit } from './connector.js';

describe('npm run connector -- status: its exit code', () => {
  let stderr = '';
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('is 0 only when the connector and every task run', () => {
    expect(statusExit('customers-cdc', 'RUNNING', [{ id: 0, state: 'RUNNING' }])).toBe(0);
    expect(stderr).toBe('');
  });

  it('is 1 when a task FAILED, with the command that restarts it', () => {
    expect(statusExit('customers-cdc', 'RUNNING', [{ id: 0, state: 'FAILED' }])).toBe(1);
    expect(stderr).toContain('task 0 FAILED');
    expect(stderr).toContain('npm run connector -- restart customers-cdc');
    expect(statusExit('customers-cdc', 'FAILED', [])).toBe(1);
  });

  it('is 1 when it is paused or stopped, with the command that resumes it; 4 while a task is being assigned', () => {
    expect(statusExit('sink', 'PAUSED', [{ id: 0, state: 'PAUSED' }])).toBe(1);
    expect(stderr).toContain('npm run connector -- resume sink');
    expect(statusExit('sink', 'RUNNING', [{ id: 0, state: 'UNASSIGNED' }])).toBe(4);
    expect(statusExit('sink', 'RUNNING', [])).toBe(4);
  });
});
