// Reads tap's own TAP stream (`tap --reporter=tap`) as it comes: one line per test file on
// the terminal, the failures of a failed file under it, the whole stream kept in a file, and
// the totals counted from that one stream. Counting from tap's stream rather than from the
// per-file results it saves matters: a file that tap kills for its timeout, or that never
// reports, only fails in tap's stream (the file's own output ends cleanly, or not at all).
// tap's bundled reporters either print every point (16,000 lines) or only a summary.
import { createWriteStream } from 'node:fs';
import { Parser } from 'tap-parser';

const MAX_DETAIL_LINES = 30;
const DIAG_KEYS = ['found', 'wanted', 'diff', 'message', 'expired', 'signal', 'exitCode', 'stack', 'source'];

/** A failed point, as a few readable lines: its name, then the diagnostics that explain it. */
function describeFailure(path, res) {
  const lines = [`✗ ${[...path, res.name || '(unnamed)'].join(' › ')}`];
  const diag = res.diag ?? {};
  for (const key of DIAG_KEYS) {
    if (diag[key] === undefined) continue;
    const value = typeof diag[key] === 'string' ? diag[key] : JSON.stringify(diag[key]);
    const [first, ...rest] = value.trimEnd().split('\n');
    lines.push(`    ${key}: ${first}`, ...rest.map((l) => `      ${l}`));
  }
  return lines.slice(0, MAX_DETAIL_LINES);
}

/**
 * Counts the leaf points under `parser`: each assertion, and each failure tap records on its own
 * (a crash, a timeout). A subtest's own summary line is not counted again when its children
 * already are; a subtest that failed with no failing child (it threw, or was killed) counts once.
 */
function countTree(parser, totals, path, onFailure) {
  let pendingChild = null;
  parser.on('child', (child) => {
    const state = { failed: false };
    pendingChild = state;
    child.on('complete', (results) => (state.failed = results.fail > 0));
    countTree(child, totals, [...path, child.name], (f) => {
      state.failed = true;
      onFailure(f);
    });
  });
  parser.on('assert', (res) => {
    const summaryOf = pendingChild;
    pendingChild = null;
    if (res.skip || res.todo) {
      if (!summaryOf) totals.skipped++;
      return;
    }
    if (summaryOf) {
      if (!res.ok && !summaryOf.failed) {
        totals.failed++;
        onFailure(describeFailure(path, res));
      }
      return;
    }
    if (res.ok) totals.passed++;
    else {
      totals.failed++;
      onFailure(describeFailure(path, res));
    }
  });
}

function formatDuration(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/**
 * Reads the root TAP stream of a tap run. `write` gets one line per finished test file and the
 * failures under a failed one. Resolves with the totals once the stream ends.
 */
export function readTapRun(stream, { rawFile, write }) {
  const totals = { passed: 0, failed: 0, skipped: 0, files: 0, planned: 0, reported: 0, failedFiles: [] };
  const raw = rawFile ? createWriteStream(rawFile) : null;
  const root = new Parser();
  let current = null;

  root.on('plan', (plan) => (totals.planned = Math.max(0, plan.end - plan.start + 1)));
  root.on('child', (child) => {
    current = { name: child.name, before: { ...totals }, failures: [] };
    countTree(child, totals, [], (lines) => current?.failures.push(lines));
    // The file's own summary line is the next root assert: handled there.
  });
  root.on('assert', (res) => {
    const file = current && current.name === res.name ? current : null;
    current = null;
    totals.reported++;
    const name = res.name || '(unnamed)';
    const ms = Number(res.time ?? 0);
    if (!file) {
      // A root-level point with no output of its own: tap's "timeout!" for a file, or a crash.
      if (res.ok || res.skip || res.todo) return;
      totals.failed++;
      totals.failedFiles.push(name);
      write(`FAIL  ${name}`);
      for (const line of describeFailure([], res)) write(`      ${line}`);
      return;
    }
    totals.files++;
    const passed = totals.passed - file.before.passed;
    let failed = totals.failed - file.before.failed;
    if (!res.ok && !res.skip && !res.todo && failed === 0) {
      // The file failed outside any point (it exited non-zero, or was killed for its timeout).
      totals.failed++;
      failed = 1;
      file.failures.push(describeFailure([], res));
    }
    const verdict = failed > 0 ? 'FAIL' : res.skip ? 'skip' : 'ok  ';
    write(
      `${verdict}  ${name}  (${passed} passed${failed ? `, ${failed} failed` : ''}, ${formatDuration(ms)})`,
    );
    if (failed > 0) {
      totals.failedFiles.push(name);
      for (const lines of file.failures) for (const line of lines) write(`      ${line}`);
    }
  });

  return new Promise((resolve) => {
    root.on('complete', () => {
      // Files the plan announced that never reported (tap itself stopped) count as failures.
      const missing = totals.planned - totals.reported;
      if (missing > 0) {
        totals.failed += missing;
        write(`FAIL  ${missing} test file(s) never reported a result`);
      }
      raw?.end();
      resolve(totals);
    });
    stream.on('data', (chunk) => {
      raw?.write(chunk);
      root.write(chunk);
    });
    stream.on('end', () => root.end());
  });
}
