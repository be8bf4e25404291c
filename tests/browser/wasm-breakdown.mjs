// Where the bytes of the extension's wasm module go, from twiggy's list of its items (CSV on
// standard input, from the optimised module with names kept): data, and code by crate.
// Used by scripts/bench-extension.
import { readFileSync } from 'node:fs';

const rows = readFileSync(0, 'utf8').trim().split('\n').slice(1).map((line) => {
  const match = /^(.*),(\d+),[\d.]+,[^,]*,[^,]*$/.exec(line);
  return match && { name: match[1].replace(/^"|"$/g, '').replace(/""/g, '"'), size: Number(match[2]) };
}).filter(Boolean);

/// The crate an item belongs to: the first path segment, looking through `<T as Trait>` and
/// closures' owners (an async fn's state machine is named after the function awaiting it).
function group(name) {
  if (name.includes('names" subsection') || name.includes('names subsection')) return null;
  if (name.startsWith('data segment')) return 'data (reference tables, strings, constants)';
  // wasm-bindgen's shim of an exported function holds what wasm-opt inlined into it: the
  // extension's code.
  if (name.endsWith('externref shim')) return 'extension';
  if (/^__wbindgen|^__wbg|^__externref|^import |^export |^type\[|^table\[|^elem\[|^func\[|^code\[/.test(name)) {
    return 'wasm-bindgen glue, tables and other sections';
  }
  if (!name.includes('::')) return 'wasm sections, compiler built-ins';
  const inner = /^<([A-Za-z_][\w]*)/.exec(name)?.[1] ?? /^([A-Za-z_][\w]*)/.exec(name)?.[1] ?? 'other';
  const owner = name.startsWith('js_sys::futures::future_to_promise') ? 'extension' : inner;
  return ['core', 'alloc', 'std', 'dlmalloc', 'compiler_builtins', 'T', 'I', 'F'].includes(owner)
    ? 'Rust standard library (formatting, collections, allocator, panics)'
    : owner;
}

const totals = new Map();
for (const { name, size } of rows) {
  const key = group(name);
  if (key) totals.set(key, (totals.get(key) ?? 0) + size);
}
const sum = [...totals.values()].reduce((a, b) => a + b, 0);
const line = (size, label) => console.log(`  ${String(size).padStart(7)} bytes  ${(100 * size / sum).toFixed(1).padStart(5)}%  ${label}`);
const small = [];
for (const [key, size] of [...totals].sort((a, b) => b[1] - a[1])) {
  if (size >= sum / 100) line(size, key);
  else small.push([key, size]);
}
if (small.length) line(small.reduce((a, [, size]) => a + size, 0), `under 1% each: ${small.map(([key]) => key).join(', ')}`);
console.log(`  ${String(sum).padStart(7)} bytes in all (the function names kept for this breakdown excluded)`);
