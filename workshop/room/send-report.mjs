// Sends one report to the instructor's room and exits: the learner's check started this process and did not wait
// for it (reporter.ts). Plain JavaScript on purpose: it starts in bare Node in a few tens of milliseconds, without
// the TypeScript loader, on a laptop that is busy running the platform. Any failure is silent: the room is optional.
const timeoutMs = 3000;
try {
  const { url, body } = JSON.parse(process.env.WORKSHOP_ROOM_REPORT ?? '');
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
} catch {
  // An unreachable, slow or refusing room changes nothing for the learner.
}
