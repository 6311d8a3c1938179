'use strict';
// A .env reader with no dependency: KEY=value lines, an optional `export `, `#` comments, single quotes (literal),
// double quotes (\n \r \t \" \\ escapes) and ` #` comments after unquoted values. Values span one line.
const fs = require('node:fs');

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

function unquote(value, where) {
  const q = value[0];
  if (q === "'") {
    const end = value.indexOf("'", 1);
    if (end < 0) throw new Error(`${where}: unterminated single quote`);
    return { value: value.slice(1, end), rest: value.slice(end + 1) };
  }
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const c = value[i];
    if (c === '"') return { value: out, rest: value.slice(i + 1) };
    if (c === '\\' && i + 1 < value.length) out += ESCAPES[value[++i]] ?? `\\${value[i]}`;
    else out += c;
  }
  throw new Error(`${where}: unterminated double quote`);
}

/** Parses .env text into an object; a malformed line is an error naming its line number. */
function parseDotenv(text, source = '.env') {
  const out = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `${source}:${i + 1}`;
    let line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!KEY.test(key)) throw new Error(`${where}: expected KEY=value`);
    let value = line.slice(eq + 1).trim();
    if (value.startsWith('"') || value.startsWith("'")) {
      const q = unquote(value, where);
      if (q.rest.trim() && !q.rest.trim().startsWith('#')) throw new Error(`${where}: unexpected text after the closing quote`);
      value = q.value;
    } else {
      const comment = value.search(/\s#/);
      if (comment >= 0) value = value.slice(0, comment).trimEnd();
    }
    out[key] = value;
  });
  return out;
}

/**
 * Adds the file's variables to `env` without overriding what the environment already sets. Empty values count as
 * unset (a copied .env.example is full of `KEY=`). Returns the names it set; a missing file sets nothing.
 */
function loadDotenv(file, env = process.env) {
  if (!fs.existsSync(file)) return [];
  const parsed = parseDotenv(fs.readFileSync(file, 'utf8'), file);
  const applied = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (value === '' || (env[key] !== undefined && env[key] !== '')) continue;
    env[key] = value;
    applied.push(key);
  }
  return applied;
}

module.exports = { parseDotenv, loadDotenv };
