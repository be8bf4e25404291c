// HTTPS server for the extension's end-to-end tests: it plays worker.mturk.com,
// www.mturkcontent.com, www.mturk.com, app.prolific.com, www.microworkers.com and a requester's own
// survey site (survey.requester.example, where external HITs run in a frame), UHRS
// (www.uhrs.ai) and Toloka (toloka.yandex.com), two time-tier platforms, from the fixture pages in
// tests/fixtures/sites/, by Host header, with the sites' URL structure and a strict
// Content-Security-Policy. Chromium reaches it through --host-resolver-rules, Firefox through
// a local CONNECT proxy (firefox-helpers.mjs); nothing leaves the machine. The certificate is
// self-signed and made at start with openssl.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sites = path.join(here, '..', 'fixtures', 'sites');
const read = (...parts) => readFileSync(path.join(sites, ...parts), 'utf8');
const fill = (template, values) => template.replace(/\{\{(\w+)\}\}/g, (_, name) => String(values[name] ?? ''));
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Content-Security-Policy headers in the style of the real sites: scripts only from the site.
const MTURK_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; frame-src https://www.mturkcontent.com https://survey.requester.example; form-action 'self' https://www.mturk.com https://worker.mturk.com";
const PROLIFIC_CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; frame-ancestors 'none'";

export const PROJECTS = {
  '3NSMGYKX8LCEFP5GP2R5IOZ1FDV5R3': { title: 'Label street images', requester: 'Street Scenes Lab', requesterId: 'A1STREETLAB', reward: '0.50', allotted: 600 },
  '3AQN9REUTFGXN3KXU3JF9DC8QCDYAN': { title: 'Transcribe receipts', requester: 'Receipt Data Co', requesterId: 'A2RECEIPTS', reward: '1.20', allotted: 1800 },
  '3CHANGEDMARKUPXXXXXXXXXXXXXXXX': { title: 'Rate search results', requester: 'Search Quality', requesterId: 'A3SEARCHQ', reward: '0.25', allotted: 900, changed: true },
  // An external HIT: its frame shows the requester's own site, where the extension cannot run.
  '3EXTERNALSURVEYXXXXXXXXXXXXXXX': { title: 'Short survey on commuting', requester: 'Urban Mobility Group', requesterId: 'A4MOBILITY', reward: '1.00', allotted: 1200, external: true },
};
export const STUDIES = {
  '6650f2c1a8e3b4d5e6f70812': { name: 'Attitudes to commuting', researcher: 'Urban Mobility Group', reward: 150, minutes: 10, maximum: 40, screeningPayment: 14 },
  '6650f2c1a8e3b4d5e6f70813': { name: 'Reading comprehension', researcher: 'Language Lab', reward: 90, minutes: 6, maximum: 24, screeningPayment: 10 },
};

/// UHRS HitApps (a time-tier platform: the extension measures the time, the worker types the pay).
export const HITAPPS = {
  27841: { title: 'Search relevance judgments', group: 5512, reward: '0,05', available: '1442.6k', minutes: 1 },
};

/// Microworkers jobs (www.microworkers.com), by the job page's obfuscated Id; `changed` serves the
/// redesigned page the table no longer fits.
export const MICROWORKERS_JOBS = {
  a3f09c2e7b41: { title: 'Find a phone number', employer: 'Local Listings', reward: '0.30', minutes: 10 },
  c7d2e9b05a13: { title: 'Rate a website', employer: 'Web Reviews', reward: '0.15', minutes: 5, changed: true },
};
const MICROWORKERS_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; form-action 'self'";

/// Toloka pools (a time-tier platform: its worker side gives no task's outcome).
export const TOLOKA_POOLS = {
  31415: { title: 'Street sign photos', requester: 'Road Data Lab', reward: '0.02', minutes: 2 },
};

/// The host names the server plays; the browsers are pointed at it for these only.
export const HOSTS = ['worker.mturk.com', 'www.mturkcontent.com', 'www.mturk.com', 'app.prolific.com', 'survey.requester.example', 'www.uhrs.ai', 'www.microworkers.com', 'toloka.yandex.com'];

const id = (length) => randomBytes(length).toString('hex').toUpperCase().slice(0, length);

export async function startFixtureServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'piecerate-fixtures-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=piecerate fixtures',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const assignments = new Map();
  // Submitted assignments and their state on the daily status page ('Submitted' until the test
  // has the requester approve or reject them).
  const submitted = new Map();
  const submissions = new Map();
  const requests = [];

  const send = (response, status, body, type, csp, extra = {}) => {
    response.writeHead(status, { 'Content-Type': type, ...(csp ? { 'Content-Security-Policy': csp } : {}), ...extra });
    response.end(body);
  };
  const redirect = (response, location) => send(response, 302, '', 'text/plain', null, { Location: location });
  const mturkPage = (response, content, alert = '') =>
    send(response, 200, fill(read('worker.mturk.com', 'layout.html'), { content, alert }), 'text/html; charset=utf-8', MTURK_CSP);
  const alertHtml = (kind, heading, text) => fill(read('worker.mturk.com', 'alert.html'), { kind, heading, text });

  const projectsPage = () => {
    const rows = Object.entries(PROJECTS).map(([project, p]) =>
      fill(read('worker.mturk.com', 'project-row.html'), { project, title: escapeHtml(p.title), requester: escapeHtml(p.requester), reward: p.reward, available: 12 })).join('\n');
    const data = Object.entries(PROJECTS).map(([hit_set_id, p]) => ({ hit_set_id, requester_name: p.requester, title: p.title,
      monetary_reward: { amount_in_dollars: Number(p.reward), currency_code: 'USD' }, assignment_duration_in_seconds: p.allotted }));
    return fill(read('worker.mturk.com', 'projects.html'), { rows, projects_json: escapeHtml(JSON.stringify(data)) });
  };

  function mturk(request, response, url, body) {
    const parts = url.pathname.split('/').filter(Boolean);
    const alertFor = { submitted: alertHtml('success', 'HIT Submitted', 'The HIT has been successfully submitted.'),
      returned: alertHtml('info', 'HIT Returned', 'The HIT has been returned.') }[url.searchParams.get('alert')] ?? '';
    if (url.pathname === '/assets/worker.css') return send(response, 200, read('worker.mturk.com', 'worker.css'), 'text/css', null);
    if (parts.length === 0 || (parts.length === 1 && parts[0] === 'projects')) return mturkPage(response, projectsPage(), alertFor);
    if (parts[0] === 'projects' && parts[2] === 'tasks' && parts[3] === 'accept_random') {
      const project = PROJECTS[parts[1]];
      if (!project) return send(response, 404, 'no such project', 'text/plain', null);
      const assignment = id(30);
      const task = id(30);
      assignments.set(assignment, { project: parts[1], task, acceptedAt: Date.now() });
      return redirect(response, `/projects/${parts[1]}/tasks/${task}?assignment_id=${assignment}&ref=w_pl_prvw`);
    }
    if (parts[0] === 'projects' && parts[2] === 'tasks' && parts.length === 4) {
      const assignment = assignments.get(url.searchParams.get('assignment_id'));
      if (!assignment) return send(response, 404, 'no such assignment', 'text/plain', null);
      const project = PROJECTS[assignment.project];
      if (request.method === 'POST' && new URLSearchParams(body).get('_method') === 'delete') {
        assignments.delete(url.searchParams.get('assignment_id'));
        return redirect(response, '/projects?alert=returned');
      }
      const elapsed = Math.floor((Date.now() - assignment.acceptedAt) / 1000);
      const values = { ...project, requester_id: project.requesterId, project: assignment.project, task: assignment.task,
        assignment: url.searchParams.get('assignment_id'), remaining: Math.max(0, project.allotted - elapsed) };
      const content = fill(read('worker.mturk.com', project.changed ? 'task-changed.html' : 'task.html'), values);
      // An external HIT's frame points at the requester's site instead of MTurk's.
      return mturkPage(response, project.external
        ? content.replace('https://www.mturkcontent.com/dynamic/hit?', 'https://survey.requester.example/survey?')
        : content);
    }
    if (parts[0] === 'status_details' && /^\d{4}-\d\d-\d\d$/.test(parts[1] ?? '')) {
      // Every submitted assignment is listed whatever the date: the tests run within a day.
      const list = [...submitted.entries()].map(([assignment_id, s]) => {
        const p = PROJECTS[s.project];
        return { assignment_id, hit_id: s.task, requester_id: p.requesterId, requester_name: p.requester, title: p.title,
          reward: { amount_in_dollars: Number(p.reward), currency_code: 'USD' }, state: s.state };
      });
      const rows = list.map((r) => `<tr><td>${escapeHtml(r.requester_name)}</td><td>${escapeHtml(r.title)}</td><td>$${r.reward.amount_in_dollars.toFixed(2)}</td><td>${r.state}</td></tr>`).join('\n');
      return mturkPage(response, fill(read('worker.mturk.com', 'status-details.html'), { date: parts[1], rows, rows_json: escapeHtml(JSON.stringify(list)) }));
    }
    if (url.pathname === '/tasks') return mturkPage(response, fill(read('worker.mturk.com', 'simple.html'), { heading: 'Your HITs Queue', text: 'Queue' }));
    if (url.pathname === '/dashboard') return mturkPage(response, fill(read('worker.mturk.com', 'simple.html'), { heading: 'Dashboard', text: 'Earnings to date' }));
    return send(response, 404, 'not found', 'text/plain', null);
  }

  function submissionJson(submission) {
    const study = STUDIES[submission.study];
    return { id: submission.id, status: submission.status, started_at: submission.startedAt, completed_at: submission.completedAt ?? null,
      time_taken: submission.completedAt ? Math.round((Date.parse(submission.completedAt) - Date.parse(submission.startedAt)) / 1000) : null,
      submission_reward: { amount: study.reward, currency: 'GBP' }, submission_bonuses: [], submission_adjustments: [],
      screened_out_payments: submission.status === 'SCREENED OUT' ? [{ amount: study.screeningPayment, currency: 'GBP' }] : [],
      return_requested: null,
      study: { id: submission.study, name: study.name, researcher: { id: 'R1', name: study.researcher }, maximum_allowed_time: study.maximum,
        reward: study.reward, estimated_completion_time: study.minutes } };
  }

  function prolific(request, response, url, body) {
    const api = (status, value) => send(response, status, JSON.stringify(value), 'application/json', PROLIFIC_CSP);
    if (url.pathname === '/static/app.js') return send(response, 200, read('app.prolific.com', 'app.js'), 'text/javascript', null);
    if (url.pathname === '/static/app.css') return send(response, 200, read('app.prolific.com', 'app.css'), 'text/css', null);
    if (url.pathname === '/api/v1/participant/studies/') {
      return api(200, { results: Object.entries(STUDIES).map(([studyId, s]) => ({ id: studyId, name: s.name, study_reward: s.reward,
        reward: s.reward, average_reward_per_hour: Math.round(s.reward * 60 / s.minutes), estimated_completion_time: s.minutes,
        maximum_allowed_time: s.maximum, researcher: { name: s.researcher } })) });
    }
    if (url.pathname === '/api/v1/participant/submissions/') {
      return api(200, { results: [...submissions.values()].map(submissionJson) });
    }
    if (url.pathname === '/api/v1/submissions/reserve/' && request.method === 'POST') {
      const studyId = JSON.parse(body || '{}').study_id;
      if (!STUDIES[studyId]) return api(404, { error: 'no such study' });
      const submission = { id: randomBytes(12).toString('hex'), study: studyId, status: 'ACTIVE', startedAt: new Date().toISOString() };
      submissions.set(submission.id, submission);
      return api(201, submissionJson(submission));
    }
    const transition = url.pathname.match(/^\/api\/v1\/submissions\/([0-9a-f]+)\/transition\/$/);
    if (transition && request.method === 'POST') {
      const submission = submissions.get(transition[1]);
      if (!submission) return api(404, { error: 'no such submission' });
      const { action, completion_code: code } = JSON.parse(body || '{}');
      submission.status = action === 'RETURN' ? 'RETURNED' : code === 'SCREENOUT' ? 'SCREENED OUT' : 'AWAITING REVIEW';
      submission.completedAt = new Date().toISOString();
      return api(200, submissionJson(submission));
    }
    if (url.pathname.startsWith('/api/')) return api(404, { error: 'not found' });
    return send(response, 200, read('app.prolific.com', 'index.html'), 'text/html; charset=utf-8', PROLIFIC_CSP);
  }

  // UHRS: the marketplace and a HitApp page (tests/fixtures/sites/www.uhrs.ai).
  function uhrs(response, url) {
    const page = (name, values) => send(response, 200, fill(read('www.uhrs.ai', name), values), 'text/html; charset=utf-8', "default-src 'self'");
    const [app, hitapp] = Object.entries(HITAPPS)[0];
    if (url.pathname === '/marketplace/tasks/all') return page('marketplace.html', { app, ...hitapp, title: escapeHtml(hitapp.title) });
    const match = url.pathname.match(/^\/marketplace\/app\/(\d+)$/);
    if (match && HITAPPS[match[1]]) return page('hitapp.html', { app: match[1], ...HITAPPS[match[1]], title: escapeHtml(HITAPPS[match[1]].title) });
    return send(response, 404, 'not found', 'text/plain', null);
  }

  // Microworkers: the job list, a job's page with its proof form, and the page the form posts to.
  function microworkers(request, response, url) {
    const page = (file, values = {}) => send(response, 200, fill(read('www.microworkers.com', file), values), 'text/html; charset=utf-8', MICROWORKERS_CSP);
    const jobValues = (job) => { const j = MICROWORKERS_JOBS[job]; return { ...j, job, title: escapeHtml(j.title), employer: escapeHtml(j.employer) }; };
    if (url.pathname === '/jobs.php') return page('jobs.html', jobValues(Object.keys(MICROWORKERS_JOBS)[0]));
    if (url.pathname === '/jobs_details.php') {
      const job = url.searchParams.get('Id');
      if (!MICROWORKERS_JOBS[job]) return send(response, 404, 'no such job', 'text/plain', null);
      return page(MICROWORKERS_JOBS[job].changed ? 'job-changed.html' : 'job.html', jobValues(job));
    }
    if (url.pathname === '/jobs_i_did_it.php' && request.method === 'POST') return page('sent.html');
    return send(response, 404, 'not found', 'text/plain', null);
  }

  // Toloka: the list of tasks, the queue of reserved ones and an assignment
  // (tests/fixtures/sites/toloka.yandex.com). Opening a pool, /task/{poolId}/, gives a new
  // assignment in it, as the real site does once its page has taken one (S3).
  function toloka(response, url) {
    const page = (name, values) => send(response, 200, fill(read('toloka.yandex.com', name), values), 'text/html; charset=utf-8', "default-src 'self'");
    const [pool] = Object.keys(TOLOKA_POOLS);
    const values = (id) => ({ pool: id, ...TOLOKA_POOLS[id], title: escapeHtml(TOLOKA_POOLS[id].title), requester: escapeHtml(TOLOKA_POOLS[id].requester) });
    if (url.pathname === '/tasks') return page('tasks.html', values(pool));
    if (url.pathname === '/tasks/active') return page('active.html', { ...values(pool), assignment: `0000${id(6).toLowerCase()}` });
    const opened = url.pathname.match(/^\/task\/(\d+)\/?$/);
    if (opened && TOLOKA_POOLS[opened[1]]) return redirect(response, `/task/${opened[1]}/0000${id(6).toLowerCase()}--${id(6).toLowerCase()}`);
    const assignment = url.pathname.match(/^\/task\/(\d+)\/([\w-]+)$/);
    if (assignment && TOLOKA_POOLS[assignment[1]]) return page('task.html', values(assignment[1]));
    return send(response, 404, 'not found', 'text/plain', null);
  }

  const server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; if (body.length > 1e6) request.destroy(); });
    request.on('end', () => {
      const host = (request.headers.host ?? '').split(':')[0];
      const url = new URL(request.url, `https://${host}`);
      requests.push(`${request.method} ${host}${url.pathname}`);
      if (host === 'worker.mturk.com') return mturk(request, response, url, body);
      if (host === 'www.mturkcontent.com' && url.pathname === '/dynamic/hit') {
        return send(response, 200, fill(read('www.mturkcontent.com', 'hit.html'), { assignment: escapeHtml(url.searchParams.get('assignmentId') ?? '') }),
          'text/html; charset=utf-8', "default-src 'self'; form-action https://www.mturk.com https://worker.mturk.com");
      }
      if (host === 'www.mturk.com' && url.pathname === '/mturk/externalSubmit' && request.method === 'POST') {
        const assignmentId = new URLSearchParams(body).get('assignmentId');
        const assignment = assignments.get(assignmentId);
        if (assignment) submitted.set(assignmentId, { project: assignment.project, task: assignment.task, state: 'Submitted' });
        assignments.delete(assignmentId);
        return redirect(response, 'https://worker.mturk.com/projects?alert=submitted');
      }
      if (host === 'survey.requester.example' && url.pathname === '/survey') {
        return send(response, 200, fill(read('survey.requester.example', 'survey.html'), { assignment: escapeHtml(url.searchParams.get('assignmentId') ?? '') }),
          'text/html; charset=utf-8', "default-src 'self'; form-action https://www.mturk.com https://worker.mturk.com");
      }
      if (host === 'app.prolific.com') return prolific(request, response, url, body);
      if (host === 'www.uhrs.ai') return uhrs(response, url);
      if (host === 'www.microworkers.com') return microworkers(request, response, url);
      if (host === 'toloka.yandex.com') return toloka(response, url);
      return send(response, 404, 'unknown host', 'text/plain', null);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    requests,
    /// The requesters review: every submitted assignment of `requester` gets `state`
    /// ('Approved', 'Rejected', 'Paid') on the status page.
    review: (requester, state) => {
      for (const s of submitted.values()) if (PROJECTS[s.project].requester === requester) s.state = state;
    },
    hostRules: HOSTS.map((host) => `MAP ${host} 127.0.0.1:${port}`).join(', '),
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
