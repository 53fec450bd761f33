// Preloaded (`node --require`) into a server process to give it the wall clock of a machine that is off by
// RUNHOOK_TEST_CLOCK_SKEW_MS (negative: behind). Replicas on several machines never share one clock exactly;
// the server reads time through Date.now (SystemClock), so this is all a replica's clock is made of.
const skewMs = Number(process.env.RUNHOOK_TEST_CLOCK_SKEW_MS || 0);
const systemNow = Date.now;
Date.now = () => systemNow() + skewMs;
