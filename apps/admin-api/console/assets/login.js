// The login page: exchanges an admin token for the session cookie, then goes where the admin was headed.
import { api, csrf, safeNext } from './api.js';

const form = document.getElementById('login-form');
const input = document.getElementById('token');
const error = document.getElementById('login-error');
const next = safeNext(new URLSearchParams(location.search).get('next'));

function fail(message) {
  error.textContent = message;
  error.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = input.value.trim();
  if (!token) return fail('Enter your admin token.');
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const session = await api('POST', '/session', { token }, { login: true });
    csrf.set(session?.csrfToken);
    input.value = '';
    location.replace(next);
  } catch (e) {
    fail(e.status === 401 || e.status === 403
      ? 'That token is not valid. Check for a missing character, or ask for a new one.'
      : e.status === 429
        ? 'Too many attempts. Wait a minute and try again.'
        : e.message);
  } finally {
    button.disabled = false;
  }
});

// Arriving from another site (a link in a chat or an e-mail), the SameSite=Strict cookie is not sent with the
// navigation, so the server showed this page; a same-site request does carry it: skip the form if it is valid.
api('GET', '/session', undefined, { login: true })
  .then((session) => {
    if (session?.admin) {
      if (session.csrfToken) csrf.set(session.csrfToken);
      location.replace(next);
    }
  })
  .catch(() => undefined);
