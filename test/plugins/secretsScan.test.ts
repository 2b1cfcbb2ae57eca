// The secrets scan is optimised (prefix-gated detectors, operator-first assignment hints); these tests
// compare it with the plain definition it must equal: every detector's global regex and ASSIGNMENT's
// exec loop over every string, on generated strings built to hit every prefix, operator and near miss,
// each finding with the span of text it was found as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPluginModule } from './support.js';
import { seeded } from '../faults/corpus.js';

interface Finding {
  kind: string;
  secret: string;
  start: number;
  end: number;
}
interface Detector {
  kind: string;
  pattern: RegExp;
  secretGroup?: number;
  normalize?: (s: string) => string;
  prefixes: string[];
}
interface ScanModule {
  scanText(text: string): Finding[];
  detectorsFor(text: string): Set<number>;
}
interface DetectorsModule {
  DETECTORS: Detector[];
  passes(d: Detector, secret: string): boolean;
}
interface AssignmentsModule {
  ASSIGNMENT: RegExp;
  ASSIGNMENT_HINT: RegExp;
  nextHint(text: string, from: number): { word: number; next: number } | -1;
  findAssignments(text: string): { kind: string; secret: string; start: number; end: number }[];
  looksLikeSecretValue(value: string): boolean;
  assignmentKind(name: string, value: string): string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Fragments: secret words in several cases, operators, quotes, every kind of JS whitespace, provider
// prefixes whole and cut short, name characters, prose, non-ASCII.
const FRAGMENTS = [
  'password',
  'PassWord',
  'passwd',
  'passphrase',
  'pwd',
  'PWD',
  'secret',
  'SECRET',
  'secret_key',
  'key',
  'KEY',
  'Key',
  'token',
  'Token',
  'api_key',
  'apikey',
  'access-key',
  'private_key',
  'client_secret',
  'credential',
  'credentials',
  'CREDENTIALS',
  'monkey',
  'tokens',
  'keys',
  '=',
  ':',
  ':=',
  '=>',
  '==',
  '::',
  ' ',
  '  ',
  '\t',
  '\n',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\ufeff',
  '"',
  "'",
  '`',
  '.',
  '_',
  '-',
  ',',
  ';',
  '&',
  '(',
  ')',
  'sk-',
  'sk-ant-api03-',
  'sk-proj-',
  'sk-ant',
  'AKIA',
  'ASIA',
  'ABIA',
  'ACCA',
  'AKI',
  'ghp_',
  'gho_',
  'ghs_',
  'gh',
  'github_pat_',
  'xoxb-',
  'xoxp-',
  'xox',
  'xapp-',
  'xapp',
  'https://hooks.slack.com/services/',
  'hooks.slack.com',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----BEGIN ',
  '-----',
  '-----END RSA PRIVATE KEY-----',
  'Bearer ',
  'bearer\t',
  'BEARER ',
  'Authorization: ',
  'the ',
  'export ',
  'const ',
  'é',
  '→',
  '日本',
  '\\n',
  '${TOKEN}',
  'xxxx',
  'example',
  '/home/a/.env',
];

function generator(seed: number) {
  const next = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const random = (n: number, alphabet = ALNUM) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  return (): string => {
    const parts: string[] = [];
    const count = 1 + Math.floor(next() * 14);
    for (let i = 0; i < count; i++) {
      const r = next();
      if (r < 0.55) parts.push(pick(FRAGMENTS));
      else if (r < 0.75) parts.push(random(8 + Math.floor(next() * 50), `${ALNUM}-_/+=.`));
      else if (r < 0.85) parts.push(random(16 + Math.floor(next() * 30), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'));
      else if (r < 0.92) parts.push(`${random(4 + Math.floor(next() * 10), '0123456789')}-`);
      else parts.push(random(1 + Math.floor(next() * 6), 'abcdefghijklmnopqrstuvwxyz'));
    }
    return parts.join('');
  };
}

test('secrets: the optimised scan finds exactly what every detector and the assignment regex find, on 100,000 generated strings', async () => {
  const scan = await importPluginModule<ScanModule>('secrets', 'scan.js');
  const { DETECTORS, passes } = await importPluginModule<DetectorsModule>('secrets', 'detectors.js');
  const a = await importPluginModule<AssignmentsModule>('secrets', 'assignments.js');
  // The plain definition: each detector over the whole text, then every ASSIGNMENT match whose value
  // looks random and does not overlap a detector's match.
  const reference = (text: string): Finding[] => {
    if (text.length < 12) return [];
    const findings: Finding[] = [];
    const claimed: [number, number][] = [];
    for (const detector of DETECTORS) {
      const pattern = new RegExp(detector.pattern.source, detector.pattern.flags);
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
        if (match[0] === '') {
          pattern.lastIndex++;
          continue;
        }
        const raw = detector.secretGroup === undefined ? match[0] : match[detector.secretGroup];
        if (raw === undefined || !passes(detector, raw)) continue;
        const start = match.index + match[0].indexOf(raw);
        claimed.push([start, start + raw.length]);
        findings.push({ kind: detector.kind, secret: detector.normalize ? detector.normalize(raw) : raw, start, end: start + raw.length });
      }
    }
    const assignment = new RegExp(a.ASSIGNMENT.source, a.ASSIGNMENT.flags);
    for (let match = assignment.exec(text); match !== null; match = assignment.exec(text)) {
      const [whole, name, , value] = match;
      const end = match.index + whole.length;
      const start = end - value.length;
      if (!a.looksLikeSecretValue(value) || claimed.some(([s, e]) => start < e && s < end)) continue;
      findings.push({ kind: a.assignmentKind(name, value), secret: value, start, end });
    }
    return findings;
  };
  const hintsByRegex = (text: string): number[] => {
    const hint = new RegExp(a.ASSIGNMENT_HINT.source, a.ASSIGNMENT_HINT.flags);
    const starts: number[] = [];
    for (let m = hint.exec(text); m !== null; m = hint.exec(text)) starts.push(m.index, hint.lastIndex);
    return starts;
  };
  const hintsByScan = (text: string): number[] => {
    const starts: number[] = [];
    for (let h = a.nextHint(text, 0); h !== -1; h = a.nextHint(text, h.next)) starts.push(h.word, h.next);
    return starts;
  };
  const next = generator(7);
  let findings = 0;
  const kinds = new Set<string>();
  for (let i = 0; i < 100_000; i++) {
    const text = next();
    const want = reference(text);
    assert.deepEqual(scan.scanText(text), want, `string ${i}: ${JSON.stringify(text)}`);
    assert.deepEqual(hintsByScan(text), hintsByRegex(text), `hints of string ${i}: ${JSON.stringify(text)}`);
    findings += want.length;
    for (const f of want) kinds.add(f.kind);
  }
  // The generated strings really exercise the scan: findings of most kinds, not just misses.
  assert.ok(findings > 500, `only ${findings} findings`);
  for (const kind of ['generic_secret', 'aws_access_key_id', 'github_token', 'slack_token', 'bearer_token', 'openai_api_key'])
    assert.ok(kinds.has(kind), `no ${kind} among ${[...kinds].join(', ')}`);
});

test('secrets: every detector prefix is seen even where another prefix overlaps it, and none starts another', async () => {
  const scan = await importPluginModule<ScanModule>('secrets', 'scan.js');
  const { DETECTORS } = await importPluginModule<DetectorsModule>('secrets', 'detectors.js');
  const prefixes = DETECTORS.flatMap((d) => d.prefixes);
  for (const p of prefixes) for (const q of prefixes) if (p !== q) assert.ok(!q.startsWith(p), `${p} starts ${q}`);
  DETECTORS.forEach((detector, index) => {
    for (const prefix of detector.prefixes) {
      // Right behind each other prefix, and overlapping it where they share characters (`xapp-----BEGIN `).
      for (const other of prefixes) {
        for (let k = 0; k < Math.min(other.length, prefix.length); k++) {
          if (!other.endsWith(prefix.slice(0, k))) continue;
          const text = `${other}${prefix.slice(k)}`;
          assert.ok(scan.detectorsFor(text).has(index), `${detector.kind} in ${JSON.stringify(text)}`);
        }
      }
    }
  });
});
