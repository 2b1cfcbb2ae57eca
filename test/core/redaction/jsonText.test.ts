// Replacing values inside the strings of raw JSON text, byte for byte elsewhere: the rule redaction relies
// on to leave every other part of a transcript line as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeJsonString, occursIn, replaceInJsonText, replaceInValue } from '../../../main/core/redaction/jsonText.js';

const R = (value: string, replacement = '[X]') => ({ value, replacement });

test('jsonText: every encoded occurrence inside strings is replaced; the rest of the text is kept as it was', () => {
  // Numbers and spacing JSON.stringify would not reproduce (1.0, 1e2, a big integer, spaces) stay as written.
  const line = '{"a": "key abc123 and abc123", "n": 1.0, "e": 1e2, "big": 12345678901234567890, "b": ["abc123"], "abc123": "x"}';
  const { text, count } = replaceInJsonText(line, [R('abc123')]);
  assert.equal(text, '{"a": "key [X] and [X]", "n": 1.0, "e": 1e2, "big": 12345678901234567890, "b": ["[X]"], "[X]": "x"}');
  assert.equal(count, 4);
  assert.deepEqual(replaceInJsonText(line, [R('zzz')]), { text: line, count: 0 });
});

test('jsonText: values with characters JSON escapes are found as encoded, and never inside an escape or outside a string', () => {
  const value = 'se"cr\\et\nkey\u0001';
  const line = JSON.stringify({ a: `x${value}y`, b: value });
  const { text } = replaceInJsonText(line, [R(value)]);
  assert.deepEqual(JSON.parse(text), { a: 'x[X]y', b: '[X]' });
  // "n123abc" is inside `\n123abc` only as the tail of an escape: not an occurrence.
  const escaped = JSON.stringify({ a: '\n123abc', b: 'n123abc' });
  assert.deepEqual(JSON.parse(replaceInJsonText(escaped, [R('n123abc')]).text), { a: '\n123abc', b: '[X]' });
  // Outside strings (a number) nothing is replaced.
  assert.equal(replaceInJsonText('{"n": 123456, "s": "123456"}', [R('123456')]).text, '{"n": 123456, "s": "[X]"}');
  // A quote escaped before the value does not end the string.
  assert.equal(replaceInJsonText('{"s": "\\"abc123\\""}', [R('abc123')]).text, '{"s": "\\"[X]\\""}');
  // \\ then a quote ends the string: "abc123" after it is a key again, still a string.
  assert.equal(replaceInJsonText('{"s": "\\\\", "abc123": 1}', [R('abc123')]).text, '{"s": "\\\\", "[X]": 1}');
});

test('jsonText: the longer value wins where two start at the same place; written with other escapes, a value is not found (callers check)', () => {
  assert.equal(replaceInJsonText('{"s": "abc123456 abc123"}', [R('abc123', '[short]'), R('abc123456', '[long]')]).text, '{"s": "[long] [short]"}');
  const unusual = '{"s": "\\u0061bc123"}'; // "abc123" with its a as \u0061
  const { text, count } = replaceInJsonText(unusual, [R('abc123')]);
  assert.equal(count, 0);
  assert.equal(occursIn(JSON.parse(text), 'abc123'), true, 'the check callers make catches it');
});

test('jsonText: encodeJsonString, occursIn over keys and strings, replaceInValue', () => {
  assert.equal(encodeJsonString('a"b\\c\n'), 'a\\"b\\\\c\\n');
  assert.equal(occursIn({ a: [1, { b: 'xx secret xx' }] }, 'secret'), true);
  assert.equal(occursIn({ 'secret!': 1 }, 'secret'), true);
  assert.equal(occursIn({ a: 1, b: [null, true] }, 'secret'), false);
  assert.deepEqual(replaceInValue({ a: ['my secret', { secret: 'secret secret' }], n: 1 }, [R('secret')]), { a: ['my [X]', { '[X]': '[X] [X]' }], n: 1 });
});

test('jsonText: on 5,000 generated JSON.stringify texts, replacing in the text equals replacing in the parsed value', () => {
  let seed = 11;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const ALPHABET = ['a', 'b', 'c', '"', '\\', '\n', '\u0001', 'é', '→', '😀', 'n', 'u', '0', ' ', '/'];
  const secrets = ['ab"c', 'b\\n', 'c\n😀', 'nu0'];
  const text = (): string => {
    let out = '';
    const n = Math.floor(next() * 12);
    for (let i = 0; i < n; i++) out += next() < 0.25 ? secrets[Math.floor(next() * secrets.length)] : ALPHABET[Math.floor(next() * ALPHABET.length)];
    return out;
  };
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 2 || r < 0.4) return text();
    if (r < 0.5) return Math.floor(next() * 1000);
    if (r < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [text(), value(depth + 1)]));
  };
  for (let i = 0; i < 5000; i++) {
    const parsed = { root: value(0) };
    const wanted = secrets.filter(() => next() < 0.6).map((s) => R(s, `[R${s.length}]`));
    const replaced = replaceInJsonText(JSON.stringify(parsed), wanted).text;
    assert.deepEqual(JSON.parse(replaced), replaceInValue(parsed, wanted), `case ${i}: ${JSON.stringify(parsed)}`);
  }
});
