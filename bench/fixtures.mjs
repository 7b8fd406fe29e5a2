// Compose files for the scenarios, generated as YAML text (small and regular enough not to need a
// YAML library). Everything runs busybox:1.36, which the engine already has, so no pull is timed.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const IMAGE = "busybox:1.36";

// busybox `sleep` as PID 1 ignores SIGTERM, so every stop would wait the full 10 s grace period and
// `down` would measure a timeout instead of the tool. `init: true` gives the container an init that
// forwards the signal, so containers stop at once.
function sleeper(name, extra = []) {
  return [`  ${name}:`, `    image: ${IMAGE}`, "    command: sleep 3600", "    init: true", ...extra];
}

function compose(lines) {
  return `services:\n${lines.join("\n")}\n`;
}

export function independent(count) {
  const lines = [];
  for (let i = 1; i <= count; i++) lines.push(...sleeper(`s${i}`));
  return compose(lines);
}

/** s1 ← s2 ← … ← sN: each service depends on the previous one, so creation is strictly serial. */
export function chain(count) {
  const lines = [...sleeper("s1")];
  for (let i = 2; i <= count; i++) lines.push(...sleeper(`s${i}`, ["    depends_on:", `      - s${i - 1}`]));
  return compose(lines);
}

/**
 * A database that becomes healthy about 1 s after start, and apps gated on its health. The engine
 * (20.10) only runs the first check after `interval`; `start_interval` would shorten that but the
 * reference refuses it below Engine 25, so it is left out.
 */
export function healthyStack(apps) {
  const db = [
    "  db:",
    `    image: ${IMAGE}`,
    '    command: ["sh", "-c", "sleep 1 && touch /tmp/ready && exec sleep 3600"]',
    "    init: true",
    "    healthcheck:",
    '      test: ["CMD", "test", "-f", "/tmp/ready"]',
    "      interval: 1s",
    "      timeout: 1s",
    "      retries: 30",
    "      start_period: 10s",
  ];
  const lines = [...db];
  for (let i = 1; i <= apps; i++) {
    lines.push(...sleeper(`app${i}`, ["    depends_on:", "      db:", "        condition: service_healthy"]));
  }
  return compose(lines);
}

export function replicated(replicas) {
  return compose(sleeper("svc", ["    deploy:", `      replicas: ${replicas}`]));
}

/**
 * Services that each print `lines` lines of ~55 bytes ("line 000001 of <hostname>: lorem ipsum dolor sit
 * amet") and exit: busybox awk writes them in a second or two, the engine keeps them in its json-file log.
 */
export function chatty(count, lines) {
  const out = [];
  for (let i = 1; i <= count; i++) {
    out.push(
      `  s${i}:`,
      `    image: ${IMAGE}`,
      `    command: ["awk", "BEGIN { for (i = 1; i <= ${lines}; i++) printf \\"line %06d of %s: lorem ipsum dolor sit amet\\\\n\\", i, ENVIRON[\\"HOSTNAME\\"] }"]`,
    );
  }
  return compose(out);
}

/** A large, realistic file for `config`: interpolation, ports, named and bind volumes, both
 * depends_on syntaxes, labels, networks, healthchecks and resource limits. */
export function large(count) {
  const lines = [];
  for (let i = 1; i <= count; i++) lines.push(...largeService(i));
  const volumes = ["volumes:"];
  for (let i = 1; i <= count; i++) volumes.push(`  data-${pad(i)}:`);
  const networks = ["networks:", "  front:", "  back:", "    internal: true"];
  return `${compose(lines)}${volumes.join("\n")}\n${networks.join("\n")}\n`;
}

function largeService(i) {
  const name = `svc-${pad(i)}`;
  return [
    `  ${name}:`,
    `    image: ${IMAGE}`,
    '    command: ["httpd", "-f", "-p", "8080"]',
    "    restart: unless-stopped",
    "    environment:",
    `      APP_NAME: ${name}`,
    '      APP_PORT: "8080"',
    "      LOG_LEVEL: ${LOG_LEVEL:-info}",
    `      DATABASE_URL: postgres://app:secret@db-${i % 7}.internal:5432/app_${i}`,
    "      FEATURES: search,billing,exports",
    "    ports:",
    `      - "${10000 + i}:8080"`,
    `      - "127.0.0.1:${20000 + i}:9090/udp"`,
    "    volumes:",
    `      - data-${pad(i)}:/var/lib/app`,
    `      - ./config/${name}:/etc/app:ro`,
    ...largeDependsOn(i),
    "    labels:",
    `      com.example.team: team-${i % 10}`,
    "      com.example.tier: backend",
    `      traefik.http.routers.${name}.rule: Host(\`${name}.example.com\`)`,
    "    networks: [front, back]",
    ...(i % 5 === 0 ? largeHealthcheck() : []),
    "    deploy:",
    "      resources:",
    "        limits: { cpus: '0.5', memory: 128M }",
  ];
}

// A shallow graph, as real stacks have: ten base services (db, cache, broker…) with no dependencies,
// every other service depending on one base service started and on one healthy. Deep graphs are
// avoided on purpose: the reference's `config` takes time exponential in the number of dependency
// paths (a 40-service file where each service depends on the two before it runs for minutes).
const BASES = 10;

function largeDependsOn(i) {
  if (i <= BASES) return [];
  const started = `svc-${pad(((i - 1) % BASES) + 1)}`;
  // Every third service uses the short syntax, the others the long one with a health condition.
  if (i % 3 === 0) return [`    depends_on: [${started}]`];
  const healthy = `svc-${pad(i % 2 ? 5 : 10)}`;
  const lines = ["    depends_on:", `      ${healthy}:`, "        condition: service_healthy"];
  if (started !== healthy) lines.push(`      ${started}:`, "        condition: service_started");
  return lines;
}

function largeHealthcheck() {
  return [
    "    healthcheck:",
    '      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://localhost:8080/"]',
    "      interval: 10s",
    "      timeout: 2s",
    "      retries: 3",
  ];
}

function pad(i) {
  return String(i).padStart(3, "0");
}

/** Writes a compose file into its own directory (the project directory) and returns its path. */
export function writeCompose(dir, text) {
  const file = join(dir, "compose.yaml");
  writeFileSync(file, text);
  return file;
}

/**
 * Writes `files` files of deterministic pseudo-random bytes, `totalBytes` in all, into `dir`: 100 files
 * per subdirectory (d000/f000.bin …). The same arguments always give the same bytes (xorshift32 seeded by
 * the file's index), so every tool's copy of the context is identical and reruns compare alike.
 */
export function writeLargeContext(dir, files, totalBytes) {
  const size = Math.floor(totalBytes / files);
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < files; i++) {
    let x = (i + 1) * 2654435761;
    for (let w = 0; w < words.length; w++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[w] = x;
    }
    const sub = join(dir, `d${String(Math.floor(i / 100)).padStart(3, "0")}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${String(i % 100).padStart(3, "0")}.bin`), Buffer.from(words.buffer, 0, size));
  }
}

/** A Dockerfile that copies its whole context into the image, and a compose file that builds it. */
export function writeCopyAllBuild(dir, contextName) {
  writeFileSync(join(dir, contextName, "Dockerfile"), `FROM ${IMAGE}\nCOPY . /context/\n`);
  return writeCompose(dir, `services:\n  app:\n    build: ./${contextName}\n`);
}
