/**
 * Waits until `check` holds, asking every 100 ms (a check that throws counts as not yet), at most `ms`; each
 * wait is a timer, so a child process's output is read between checks. The timeout names what was awaited
 * and, when given, what `detail` says then.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 60_000,
  detail?: () => string,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${detail ? `\n${detail()}` : ""}`);
}
