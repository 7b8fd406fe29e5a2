// Profiles, as the reference applies them: a service without `profiles` is always enabled; one with
// profiles is enabled when one of them is active ("*" activates all) or when a command names it.
// Disabled services are dropped from the project, so a dependency on one is reported as undefined.

/** --profile flags win; otherwise COMPOSE_PROFILES, comma-separated. Empty names are ignored. */
export function activeProfiles(
  flags: readonly string[] | undefined,
  composeProfiles: string | undefined,
): string[] {
  const names = flags?.length ? flags : (composeProfiles ?? "").split(",");
  return names.map((n) => n.trim()).filter((n) => n !== "");
}

export function isServiceEnabled(profiles: unknown, active: readonly string[]): boolean {
  if (!Array.isArray(profiles) || profiles.length === 0) return true;
  return active.includes("*") || profiles.some((p) => active.includes(p));
}

/** The project's services with only the enabled ones left (named services are always enabled). */
export function applyProfiles(
  services: Record<string, unknown>,
  active: readonly string[],
  named: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, service] of Object.entries(services)) {
    const profiles = (service as { profiles?: unknown } | null)?.profiles;
    if (named.includes(name) || isServiceEnabled(profiles, active)) out[name] = service;
  }
  return out;
}
