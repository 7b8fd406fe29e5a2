// Profiles, as the reference applies them: a service without `profiles` is always enabled; one with
// profiles is enabled when one of them is active ("*" activates all) or when a command names it (then all
// of its profiles are activated).
// Disabled services are dropped from the project, so a dependency on one is reported as undefined.

/**
 * --profile flags win, as given; otherwise COMPOSE_PROFILES, comma-separated, each name trimmed. An empty
 * name stays (unset is ""): it enables services listing the profile "" (observed on 2.26.1).
 */
export function activeProfiles(
  flags: readonly string[] | undefined,
  composeProfiles: string | undefined,
): string[] {
  if (flags?.length) return [...flags];
  return (composeProfiles ?? "").split(",").map((n) => n.trim());
}

export function isServiceEnabled(profiles: unknown, active: readonly string[]): boolean {
  if (!Array.isArray(profiles) || profiles.length === 0) return true;
  return active.includes("*") || profiles.some((p) => active.includes(p));
}

/** The project's services with only the enabled ones left. */
export function applyProfiles(
  services: Record<string, unknown>,
  active: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, service] of Object.entries(services)) {
    if (isServiceEnabled(profilesOf(service), active)) out[name] = service;
  }
  return out;
}

const profilesOf = (service: unknown) => (service as { profiles?: unknown } | null)?.profiles;

/**
 * The active profiles once services named on the command line are enabled: each disabled one brings all
 * of its profiles, so the other services of those profiles come too (compose-go 2.4.8
 * Project.WithServicesEnabled).
 */
export function withNamedProfiles(
  services: Record<string, unknown>,
  active: readonly string[],
  named: readonly string[],
): string[] {
  const out = [...active];
  for (const name of named) {
    const profiles = profilesOf(services[name]);
    if (!Array.isArray(profiles) || isServiceEnabled(profiles, active)) continue;
    for (const p of profiles) if (!out.includes(String(p))) out.push(String(p));
  }
  return out;
}

/**
 * The first required dependency, reached from the named services, that is not enabled: the reference
 * then fails with `no such service: <it>` (exit 1) when it selects them. `services` is the enabled
 * services in long form (depends_on a mapping with `required`).
 */
export function missingDependency(
  services: Record<string, unknown>,
  named: readonly string[],
): string | undefined {
  const seen = new Set<string>();
  const visit = (name: string): string | undefined => {
    if (seen.has(name)) return undefined;
    seen.add(name);
    const dependsOn = (services[name] as { depends_on?: unknown } | undefined)?.depends_on;
    if (typeof dependsOn !== "object" || dependsOn === null) return undefined;
    for (const [dependency, how] of Object.entries(dependsOn)) {
      if (!Object.hasOwn(services, dependency)) {
        if ((how as { required?: unknown } | null)?.required !== false) return dependency;
        continue;
      }
      const missing = visit(dependency);
      if (missing) return missing;
    }
    return undefined;
  };
  for (const name of named) {
    const missing = Object.hasOwn(services, name) ? visit(name) : undefined;
    if (missing) return missing;
  }
  return undefined;
}
