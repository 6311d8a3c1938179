// Live updates: one EventSource on /api/v1/events/live for the whole console. Pages subscribe with a callback
// that receives each change ({ type, connection, … }); EventSource reconnects by itself after a drop.

const listeners = new Set();
let source;

// The API may send named SSE events (event: <type>) or unnamed ones; listen to both.
const NAMED = [
  'message', 'change', 'event',
  'token.issued', 'token.removed', 'observation.added', 'observation.removed',
  'user.approved', 'user.removed', 'space.approved', 'space.removed',
  'attention.changed', 'attention.evicted',
  'PairingTokenIssued', 'TokenObserved', 'ObservationRejected', 'ObservationExpired', 'TokenExpired',
  'TokenRevoked', 'UserApproved', 'UserRemoved', 'SpaceApproved', 'SpaceRemoved', 'MessageDenied',
  'PairingThrottled',
];

function setState(state) {
  const badge = document.getElementById('live-state');
  if (!badge) return;
  badge.dataset.state = state;
  badge.textContent = state === 'open' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline, retrying';
}

function dispatch(name, raw) {
  let change;
  try {
    change = JSON.parse(raw);
  } catch {
    return;
  }
  if (!change || typeof change !== 'object') return;
  if (!change.type && name !== 'message') change.type = name;
  // Domain events carry the connection in their stream name (access-<c> / activity-<c>).
  if (!change.connection && typeof change.stream === 'string') change.connection = change.stream.replace(/^(access|activity)-/, '');
  for (const fn of listeners) fn(change);
}

export function connectLive() {
  if (source) return;
  setState('connecting');
  source = new EventSource('/api/v1/events/live', { withCredentials: true });
  source.onopen = () => setState('open');
  source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
  for (const name of NAMED) source.addEventListener(name, (e) => dispatch(name, e.data));
}

/** Returns an unsubscribe function. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Calls `fn` at most once per `ms`, trailing, so a burst of changes causes one reload. */
export function debounce(fn, ms = 120) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
