// Counts the leaf test points of tap's saved results (.tap/test-results/**.tap): each
// assertion, and each failure tap records on its own (a crash, a timeout). A subtest's
// own summary line is not counted again: its children already are.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';

function listTapFiles(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(listTapFiles(p));
    else if (p.endsWith('.tap')) out.push(p);
  }
  return out;
}

function countParser(parser, totals) {
  let childPending = false;
  parser.on('child', (child) => {
    childPending = true;
    countParser(child, totals);
  });
  parser.on('assert', (res) => {
    if (childPending) {
      // The summary line of the subtest just parsed; a subtest that failed with no failing
      // child (e.g. it threw) still counts as one failure.
      childPending = false;
      if (!res.ok && !res.todo && !res.skip && totals.childFailed.pop() === false) totals.failed++;
      return;
    }
    if (res.skip || res.todo) totals.skipped++;
    else if (res.ok) totals.passed++;
    else totals.failed++;
  });
  parser.on('complete', (results) => totals.childFailed.push(results.fail > 0));
}

export function countResults(dir) {
  const totals = { passed: 0, failed: 0, skipped: 0, files: 0, childFailed: [] };
  for (const file of listTapFiles(dir)) {
    totals.files++;
    const parser = new Parser();
    const before = totals.failed;
    let bailed = false;
    parser.on('bailout', () => (bailed = true));
    countParser(parser, totals);
    parser.end(readFileSync(file, 'utf8'));
    if (bailed && totals.failed === before) totals.failed++;
  }
  return totals;
}
