'use strict';
// `npm start` shows the services' JSON log lines (the containers' format, unchanged) as one readable line each:
// `HH:MM:SS LEVEL message key=value …`. LOG_FORMAT=json keeps them raw. A line that is not a log object passes as is.
const OMIT = new Set(['time', 'level', 'service', 'msg']);

function value(v) {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** The readable form of one output line of a service. */
function humanLine(line) {
  if (!line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (!entry || typeof entry.msg !== 'string' || typeof entry.level !== 'string') return line;
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const fields = Object.entries(entry)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  return [time, entry.level.toUpperCase().padEnd(5), entry.msg, ...fields].filter(Boolean).join(' ');
}

/** The formatter for this run: readable unless LOG_FORMAT=json. */
const formatterFor = (env) => (env.LOG_FORMAT === 'json' ? (line) => line : humanLine);

module.exports = { humanLine, formatterFor };
