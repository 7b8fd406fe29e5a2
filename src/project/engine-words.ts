// The engine's own words in an error that dockerode formatted: it writes `(HTTP code 404) unexpected - <the
// engine's message> ` for an error status without a JSON body it understood; the reference prints only the
// engine's message.
export function dockerodeWords(message: string): string {
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim();
}
