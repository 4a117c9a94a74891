/**
 * The room's page: one HTML file, one script and one style sheet, all served by the room server (nothing from the
 * internet: the room must work on a Wi-Fi without it). The script builds every element with textContent, never with
 * innerHTML, so a name or a message is always shown as text; the server's Content-Security-Policy allows only these
 * files, as a second line of defence. Live through Server-Sent Events: the server pushes the room after each change.
 */

export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The instructor's room</title>
<link rel="stylesheet" href="/room.css">
<script src="/room.js" defer></script>
</head>
<body>
<header>
  <h1>The room</h1>
  <p id="join" class="join"></p>
  <p class="status"><span id="connection">connecting…</span> · <span id="summary"></span> ·
    <a id="mode" href="?projector">projector mode (names hidden)</a></p>
</header>
<main>
  <section aria-labelledby="steps-title">
    <h2 id="steps-title">Where the room is</h2>
    <ol id="steps" class="steps"></ol>
  </section>
  <section aria-labelledby="problems-title">
    <h2 id="problems-title">Most common problems</h2>
    <ul id="problems" class="problems"></ul>
  </section>
  <section aria-labelledby="idle-title">
    <h2 id="idle-title">Not checked in for 10 minutes</h2>
    <p id="idle" class="idle"></p>
  </section>
  <section aria-labelledby="learners-title">
    <h2 id="learners-title">Learners</h2>
    <table id="learners">
      <thead><tr><th>name</th><th>step</th><th>outcome</th><th>on this step</th><th>last check</th><th>failing</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
</body>
</html>
`;

export const pageCss = `
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #fafafa; }
body { margin: 0 auto; padding: 1rem 2rem; max-width: 1400px; }
h1 { margin: 0.2rem 0; font-size: 1.6rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 0.5rem; }
.join { font-family: ui-monospace, monospace; font-size: 1.3rem; background: #fff; border: 1px solid #ccd; padding: 0.5rem 0.8rem; border-radius: 6px; }
.projector .join { font-size: 2rem; }
.status { color: #555; }
.steps { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 0.5rem; list-style: none; padding: 0; }
.steps li { background: #fff; border: 1px solid #ccd; border-radius: 6px; padding: 0.5rem; }
.steps .count { font-size: 2rem; font-weight: 700; display: block; }
.steps .title { font-size: 0.8rem; color: #555; }
.problems li { margin: 0.3rem 0; }
.problems .n { font-weight: 700; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e3e3ea; vertical-align: top; }
td.failing { font-size: 0.85rem; color: #444; }
.pass { color: #1a7f37; } .fail { color: #c62828; } .not-yet { color: #9a6700; } .environment-error { color: #8250df; }
tr.idle td { color: #999; }
.projector td:nth-child(1) { color: #777; }
button { font: inherit; font-size: 0.8rem; }
`;

/** Runs in the browser: plain ES2020, no imports. */
export const pageScript = `'use strict';
(() => {
  const projector = new URLSearchParams(location.search).has('projector');
  const words = { pass: '✓ pass', 'not-yet': '… not yet', fail: '✗ fail', 'environment-error': '! environment' };
  let room;
  let offset = 0;
  if (projector) document.body.classList.add('projector');
  const mode = document.getElementById('mode');
  mode.textContent = projector ? 'names shown' : 'projector mode (names hidden)';
  mode.href = projector ? location.pathname : '?projector';

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function title(id) {
    const step = room.steps.find((s) => s.id === id);
    return step ? step.id : id;
  }
  function render() {
    if (!room) return;
    const now = Date.now() + offset;
    // The join line only reaches the instructor's own machine; elsewhere the page shows the room without it.
    const join = document.getElementById('join');
    join.hidden = !room.join;
    join.textContent = room.join || '';
    // A room on Flink SQL (or a mixed one) says how many run each engine.
    const onFlink = room.learners.filter((l) => l.engine === 'flink').length;
    document.getElementById('summary').textContent =
      room.learners.length + ' learners, ' + room.received + ' checks reported' +
      (onFlink > 0 ? ', ' + onFlink + ' on Flink SQL, ' + (room.learners.length - onFlink) + ' on ksqlDB' : '');
    const steps = document.getElementById('steps');
    steps.replaceChildren(...room.steps.map((s) => {
      const li = el('li');
      li.dataset.step = s.id;
      li.append(el('strong', s.id), el('span', String(s.learners), 'count'),
        el('span', s.passed + ' passed', 'passed'), el('div', s.title, 'title'));
      return li;
    }));
    const problems = document.getElementById('problems');
    const rows = room.steps.flatMap((s) => s.failures.map((f) => ({ step: s.id, f }))).sort((a, b) => b.f.learners - a.f.learners);
    problems.replaceChildren(...(rows.length === 0 ? [el('li', 'none reported')] : rows.map(({ step, f }) => {
      const li = el('li');
      li.dataset.step = step;
      li.append(el('span', f.learners + (f.learners === 1 ? ' learner' : ' learners'), 'n'),
        document.createTextNode(' on ' + step + ': ' + f.object + ': ' + f.message));
      return li;
    })));
    const idle = room.learners.filter((l) => now - l.lastSeen >= 10 * 60 * 1000);
    document.getElementById('idle').textContent = idle.length === 0 ? 'everyone has checked in' : idle.map((l) => l.name).join(', ');
    const body = document.querySelector('#learners tbody');
    body.replaceChildren(...room.learners.map((l) => {
      const tr = el('tr');
      if (now - l.lastSeen >= 10 * 60 * 1000) tr.className = 'idle';
      const first = l.failing[0];
      tr.append(
        el('td', l.name, 'name'),
        el('td', (l.step ? title(l.step) : 'joined') + (l.engine === 'flink' ? ' (Flink SQL)' : '')),
        el('td', l.outcome ? words[l.outcome] : '—', l.outcome || ''),
        el('td', l.step ? ago(now - l.stepSince) : '—'),
        el('td', ago(now - l.lastSeen) + ' ago'),
        el('td', first ? first.object + ': ' + first.message + (l.failing.length > 1 ? ' (+' + (l.failing.length - 1) + ' more)' : '') : '', 'failing'),
      );
      const actions = el('td');
      if (room.admin && l.id) {
        const remove = el('button', 'remove');
        remove.addEventListener('click', () => kick(l.id, l.name));
        actions.append(remove);
      }
      tr.append(actions);
      return tr;
    }));
  }
  async function kick(id, name) {
    if (!confirm('Remove ' + name + ' from the room? Their checks are refused until a new room.')) return;
    await fetch('/api/admin/kick', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ learnerId: id }) });
  }
  function connect() {
    const source = new EventSource('/api/events' + (projector ? '?projector=1' : ''));
    const connection = document.getElementById('connection');
    source.addEventListener('open', () => { connection.textContent = 'live'; });
    source.addEventListener('room', (event) => {
      room = JSON.parse(event.data);
      offset = room.now - Date.now();
      render();
      document.body.dataset.received = String(room.received);
    });
    // EventSource reconnects by itself when the room restarts; the page says so meanwhile.
    source.addEventListener('error', () => { connection.textContent = 'reconnecting…'; });
  }
  connect();
  setInterval(render, 1000);
})();
`;
