jest.setTimeout(180_000);

// Set by tools/scripts/test.mjs when there is no browser: every browser test is reported as skipped. With all of a
// suite's tests skipped jest runs none of its hooks, so no browser or stack is started and nothing fails in cleanup.
if (process.env.TWOKEY_SKIP_BROWSER_TESTS) {
  const skip = global.it.skip;
  const skipped = Object.assign((...args) => skip(...args), { skip, only: skip, each: skip.each, concurrent: skip, failing: skip, todo: global.it.todo });
  global.it = skipped;
  global.test = skipped;
}
