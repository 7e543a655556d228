// The bad-input table (issue 2 point 11): malformed manifests, each with the
// exact place of its first problem. Shared by the loadManifest unit test and
// the `sidecar validate` CLI test (cases with `cli: true` also run the CLI).

export interface BadManifest {
  name: string;
  yaml: string;
  // Extra files written beside the manifest (e.g. `.env`, env files).
  files?: Record<string, string>;
  env?: Record<string, string>;
  line: number;
  column: number;
  // The manifest path in the place ('' for the document itself).
  path: string;
  message: RegExp;
  suggestion?: RegExp;
  cli?: boolean;
}

const APP = 'version: 1\napp:\n  command: [node, server.js]\n';

export const BAD_MANIFESTS: BadManifest[] = [
  // Found by an attacker's trial: an image name went into the engine's URL path as
  // it was; "../../localhost/x" made the engine redirect the call to another host.
  {
    name: 'image with .. path parts',
    yaml: 'version: 1\napp:\n  image: "../../localhost/steal"\n  command: [sleep, "100"]\n',
    line: 3, column: 10, path: 'app.image', message: /image "\.\.\/\.\.\/localhost\/steal" holds a "\." or "\.\." path part/, suggestion: /\[registry\/\]name\[:tag\]/, cli: true,
  },
  {
    name: 'image with a flag after a space',
    yaml: `${APP}sidecars:\n  proxy:\n    image: "busybox:1 --privileged"\n`,
    line: 6, column: 12, path: 'sidecars.proxy.image', message: /holds whitespace/, suggestion: /lowercase/, cli: true,
  },
  // Found by a new user's trial: the fix for a bad env name was the DNS-label advice.
  {
    name: 'env name with "="',
    yaml: `${APP}  env: {"A=B": x}\n`,
    line: 4, column: 9, path: 'app.env.A=B', message: /"A=B" is not a valid environment variable name/, suggestion: /LOG_LEVEL; a "=" belongs in the value/, cli: true,
  },
  // Found by a new user's trial: the escape sequence was dropped, leaving `"a" is not a valid name`;
  // the path kept it raw, and the terminal sanitizer then showed `sidecars.a` (quoted since).
  {
    name: 'sidecar name with an escape sequence',
    yaml: `${APP}sidecars:\n  "a\\e]0;PWN\\a": {command: [x]}\n`,
    line: 5, column: 3, path: 'sidecars."a\\u001b]0;PWN\\u0007"', message: /"a\\u001b\]0;PWN\\u0007" is not a valid name$/, cli: true,
  },
  {
    name: 'image that is a flag',
    yaml: 'version: 1\napp:\n  image: "-v"\n',
    line: 3, column: 10, path: 'app.image', message: /starts with "-"/,
  },
  {
    name: 'image in uppercase',
    yaml: 'version: 1\napp:\n  image: Acme/BusyBox:1\n',
    line: 3, column: 10, path: 'app.image', message: /repository names must be lowercase/,
  },
  {
    name: 'YAML syntax: unclosed flow sequence',
    yaml: 'version: 1\napp:\n  command: [node, server.js\nsidecars: {}\n',
    line: 3, column: 12, path: '', message: /YAML/, suggestion: /close/, cli: true,
  },
  {
    name: 'YAML syntax: unclosed double quote',
    yaml: 'version: 1\napp:\n  image: "node:20\n  command: [node]\n',
    line: 3, column: 10, path: '', message: /YAML/, suggestion: /quote/,
  },
  {
    name: 'tab used for indentation',
    yaml: 'version: 1\napp:\n\tcommand: [node, server.js]\n',
    line: 3, column: 1, path: '', message: /YAML/, suggestion: /spaces/, cli: true,
  },
  {
    name: 'duplicate key',
    yaml: `${APP}  command: [node, other.js]\n`,
    line: 4, column: 3, path: '', message: /unique|duplicate/i, suggestion: /rename|remove/, cli: true,
  },
  {
    name: 'empty file',
    yaml: '',
    line: 1, column: 1, path: '', message: /empty/, suggestion: /sidecar init/, cli: true,
  },
  {
    name: 'only comments',
    yaml: '# nothing here yet\n',
    line: 1, column: 1, path: '', message: /empty/, suggestion: /version: 1/,
  },
  {
    name: 'a list at the root',
    yaml: '- version: 1\n- app: {}\n',
    line: 1, column: 1, path: '', message: /mapping/, suggestion: /top level/, cli: true,
  },
  {
    name: 'a scalar at the root',
    yaml: 'hello\n',
    line: 1, column: 1, path: '', message: /mapping/, suggestion: /top level/,
  },
  {
    name: 'missing app',
    yaml: 'version: 1\nsidecars:\n  proxy: {image: envoy}\n',
    line: 1, column: 1, path: '', message: /app/, suggestion: /add `app:`/, cli: true,
  },
  {
    name: 'missing version',
    yaml: 'app:\n  command: [node, server.js]\n',
    line: 1, column: 1, path: '', message: /version/, suggestion: /version: 1/,
  },
  {
    name: 'version 2',
    yaml: 'version: 2\napp:\n  command: [node, server.js]\n',
    line: 1, column: 10, path: 'version', message: /version 2 is not supported/, suggestion: /version: 1/, cli: true,
  },
  {
    name: 'unknown top-level key with did you mean',
    yaml: `${APP}sidecar:\n  proxy: {image: envoy}\n`,
    line: 4, column: 1, path: 'sidecar', message: /unknown key "sidecar"/, suggestion: /did you mean "sidecars"/, cli: true,
  },
  {
    name: 'unknown service key with did you mean',
    yaml: `${APP}  imgae: node:20\n`,
    line: 4, column: 3, path: 'app.imgae', message: /unknown key "imgae"/, suggestion: /did you mean "image"/,
  },
  {
    name: 'unknown health key with did you mean',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    intervall: 2s\n`,
    line: 6, column: 5, path: 'app.health.intervall', message: /unknown key/, suggestion: /did you mean "interval"/, cli: true,
  },
  {
    name: 'wrong type: ports as a mapping',
    yaml: `${APP}  ports: {http: 8080}\n`,
    line: 4, column: 10, path: 'app.ports', message: /expected array/, suggestion: /./,
  },
  {
    name: 'wrong type: sidecars as a list',
    yaml: `${APP}sidecars: [proxy]\n`,
    line: 4, column: 11, path: 'sidecars', message: /expected object/, suggestion: /mapping of name: service/, cli: true,
  },
  {
    name: 'wrong type: env value is a mapping',
    yaml: `${APP}  env:\n    PORT: {value: 1}\n`,
    line: 5, column: 11, path: 'app.env.PORT', message: /expected/, suggestion: /./,
  },
  {
    name: 'command as a string',
    yaml: 'version: 1\napp:\n  command: node server.js\n',
    line: 3, column: 12, path: 'app.command', message: /expected array/, suggestion: /exec form/, cli: true,
  },
  {
    name: 'empty command',
    yaml: 'version: 1\napp:\n  command: []\n',
    line: 3, column: 12, path: 'app.command', message: /empty/, suggestion: /\[node, server.js\]/,
  },
  {
    name: 'bad duration (words)',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    interval: 5 seconds\n`,
    line: 6, column: 15, path: 'app.health.interval', message: /not a duration/, suggestion: /1m30s/, cli: true,
  },
  {
    name: 'bad duration (a bare number)',
    yaml: `${APP}  stopTimeout: 10\n`,
    line: 4, column: 16, path: 'app.stopTimeout', message: /^10 has no unit$/, suggestion: /write 10s for seconds/,
  },
  {
    name: 'stopTimeout past the timer limit (issue 9.10: became 1 ms)',
    yaml: `${APP}  stopTimeout: 1000h\n`,
    line: 4, column: 16, path: 'app.stopTimeout', message: /stopTimeout 1000h is longer than 24h/, suggestion: /from 0s to 24h/, cli: true,
  },
  {
    name: 'startTimeout 600h (issue 9.10: failed at once)',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    startTimeout: 600h\n`,
    line: 6, column: 19, path: 'app.health.startTimeout', message: /longer than 24h/, suggestion: /from 100ms to 24h/,
  },
  {
    name: 'interval 0s (issue 9.10: spun the CPU)',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    interval: 0s\n`,
    line: 6, column: 15, path: 'app.health.interval', message: /interval 0s is shorter than 100ms/, suggestion: /from 100ms to 24h/, cli: true,
  },
  {
    name: 'interval 600h (issue 9.10: spun the CPU)',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    interval: 600h\n`,
    line: 6, column: 15, path: 'app.health.interval', message: /longer than 24h/, suggestion: /to 24h/,
  },
  {
    name: 'a duration of 400 digits',
    yaml: `${APP}  stopTimeout: ${'9'.repeat(400)}h\n`,
    line: 4, column: 16, path: 'app.stopTimeout', message: /longer than 24h/, suggestion: /to 24h/,
  },
  {
    name: 'bad signal: unknown name',
    yaml: `${APP}  stopSignal: SIGFOO\n`,
    line: 4, column: 15, path: 'app.stopSignal', message: /SIGFOO is not a signal/, suggestion: /SIGTERM/, cli: true,
  },
  {
    name: 'bad signal: without SIG',
    yaml: `${APP}  stopSignal: term\n`,
    line: 4, column: 15, path: 'app.stopSignal', message: /not a signal/, suggestion: /SIGTERM/,
  },
  {
    name: 'published port out of range',
    yaml: `${APP}  ports: ["70000:8080"]\n`,
    line: 4, column: 11, path: 'app.ports[0]', message: /out of range/, suggestion: /8080/, cli: true,
  },
  {
    name: 'probe port out of range',
    yaml: `${APP}  health:\n    tcp: {port: 0}\n`,
    line: 5, column: 17, path: 'app.health.tcp.port', message: /out of range/, suggestion: /1 to 65535/,
  },
  {
    name: 'port mapping with too many parts',
    yaml: `${APP}  ports: ["1:2:3:4"]\n`,
    line: 4, column: 11, path: 'app.ports[0]', message: /not a port mapping/, suggestion: /host:container/,
  },
  {
    name: 'host port published twice',
    yaml: `${APP}  ports: ["8080:8080"]\nsidecars:\n  proxy:\n    image: envoy\n    ports: ["8080:9901"]\n`,
    line: 8, column: 13, path: 'sidecars.proxy.ports[0]', message: /host port 8080 is already published by app/, suggestion: /different host port/, cli: true,
  },
  {
    name: 'container port used twice in the pod',
    yaml: `${APP}  ports: ["8080:8080"]\nsidecars:\n  proxy:\n    image: envoy\n    ports: ["9090:8080"]\n`,
    line: 8, column: 13, path: 'sidecars.proxy.ports[0]', message: /port 8080 is already used by app/, suggestion: /own port/,
  },
  {
    name: 'two sidecars probing one port (issue 8.3: the second passed on the first one\'s listener)',
    yaml: `${APP}sidecars:\n  proxy:\n    image: envoy\n    health: {tcp: {port: 15001}}\n  edge:\n    image: envoy\n    health: {http: {port: 15001}}\n`,
    line: 10, column: 27, path: 'sidecars.edge.health.http.port', message: /port 15001 is already used by proxy \(\S*sidecar\.yaml:7:26 sidecars\.proxy\.health\.tcp\.port\); edge is probed on it too/, suggestion: /give each its own port/, cli: true,
  },
  {
    name: 'a probe on a port another service declares (issue 8.3)',
    yaml: `${APP}  ports: ["8080:8080"]\nsidecars:\n  proxy:\n    image: envoy\n    health:\n      tcp:\n        port: 8080\n`,
    line: 10, column: 15, path: 'sidecars.proxy.health.tcp.port', message: /port 8080 is already used by app \(\S*sidecar\.yaml:4:11 app\.ports\[0\]\)/, suggestion: /host loopback under the process runtime/,
  },
  {
    name: 'after cycle',
    yaml: `${APP}sidecars:\n  a:\n    image: x\n    after: [b]\n  b:\n    image: x\n    after: [a]\n`,
    line: 7, column: 12, path: 'sidecars.a.after', message: /cycle: a -> b -> a/, suggestion: /remove one/, cli: true,
  },
  {
    name: 'after an unknown name',
    yaml: `${APP}sidecars:\n  proxy:\n    image: x\n    after: [databse]\n`,
    line: 7, column: 13, path: 'sidecars.proxy.after[0]', message: /"databse" is not a sidecar or init job/, suggestion: /use one of: proxy/,
  },
  {
    name: 'sidecar after the app',
    yaml: `${APP}sidecars:\n  proxy:\n    image: x\n    after: [app]\n`,
    line: 7, column: 13, path: 'sidecars.proxy.after[0]', message: /before the app/, suggestion: /remove "app"/,
  },
  {
    name: 'undeclared volume',
    yaml: `${APP}  volumes: ["logs:/var/log/app"]\n`,
    line: 4, column: 13, path: 'app.volumes[0]', message: /volume "logs" is not declared/, suggestion: /volumes: \{logs: \{\}\}/, cli: true,
  },
  {
    name: '${volumes.NAME} not mounted by the service',
    yaml: `version: 1\napp:\n  command: [node, server.js]\n  env:\n    LOG_DIR: \${volumes.logs}\nvolumes:\n  logs: {}\n`,
    line: 5, column: 14, path: 'app.env.LOG_DIR', message: /does not mount volume "logs"/, suggestion: /add "logs:/, cli: true,
  },
  {
    name: '${volumes.NAME} of an undeclared volume',
    yaml: `version: 1\napp:\n  command: [node, server.js, "--dir=\${volumes.data}"]\n`,
    line: 3, column: 30, path: 'app.command[2]', message: /undeclared volume/, suggestion: /volumes: \{data: \{\}\}/,
  },
  {
    name: 'duplicate name across sidecars and init',
    yaml: `${APP}sidecars:\n  migrate:\n    image: x\ninit:\n  migrate:\n    image: x\n`,
    line: 8, column: 3, path: 'init.migrate', message: /"migrate" is already used by a sidecar/, suggestion: /unique/, cli: true,
  },
  {
    name: 'a liveness check on a log line',
    yaml: `${APP}  liveness:\n    log: ready\n`,
    line: 5, column: 5, path: 'app.liveness.log', message: /unknown key "log"/, suggestion: /http, tcp, exec/,
  },
  {
    name: 'liveness: true',
    yaml: `${APP}  liveness: true\n`,
    line: 4, column: 13, path: 'app.liveness', message: /says nothing to check/, suggestion: /write false/,
  },
  {
    name: 'liveness on an init job',
    yaml: `${APP}init:\n  m:\n    image: x\n    liveness: {tcp: {port: 1}}\n`,
    line: 7, column: 15, path: 'init.m.liveness', message: /no liveness check/, suggestion: /make it a sidecar/,
  },
  {
    name: 'a name on a sidecar',
    yaml: `${APP}sidecars:\n  a:\n    image: x\n    name: b\n`,
    line: 7, column: 11, path: 'sidecars.a.name', message: /name is its key/, suggestion: /rename the key/,
  },
  {
    name: 'withApp on the app',
    yaml: `${APP}  withApp: true\n`,
    line: 4, column: 12, path: 'app.withApp', message: /withApp is for sidecars/, suggestion: /remove withApp/,
  },
  {
    name: 'a sidecar named like the named app',
    yaml: 'version: 1\napp:\n  name: web\n  image: x\nsidecars:\n  web:\n    image: x\n',
    line: 6, column: 3, path: 'sidecars.web', message: /"web" is already used by the app/, suggestion: /unique/,
  },
  {
    name: 'a sidecar named app',
    yaml: `${APP}sidecars:\n  app:\n    image: x\n`,
    line: 5, column: 3, path: 'sidecars.app', message: /"app" is already used by the app/, suggestion: /unique/,
  },
  {
    name: 'unset ${VAR:?message}',
    yaml: 'version: 1\napp:\n  image: "registry/app:${TAG:?set TAG to the image tag}"\n',
    env: {},
    line: 3, column: 24, path: 'app.image', message: /required variable TAG is not set: set TAG to the image tag/, suggestion: /set TAG/, cli: true,
  },
  {
    name: 'empty ${VAR:?} counts as unset',
    yaml: 'version: 1\napp:\n  command: [node, "${ENTRY:?}"]\n',
    env: {ENTRY: ''},
    line: 3, column: 20, path: 'app.command[1]', message: /ENTRY is required/, suggestion: /\.env/,
  },
  {
    name: 'unclosed ${',
    yaml: 'version: 1\napp:\n  command: [node, "${ENTRY"]\n',
    line: 3, column: 20, path: 'app.command[1]', message: /unclosed/, suggestion: /\$\$/, cli: true,
  },
  {
    name: 'invalid ${...} expression',
    yaml: 'version: 1\napp:\n  image: app:${TAG NAME}\n',
    line: 3, column: 14, path: 'app.image', message: /not a valid substitution/, suggestion: /\$\{VAR:-default\}/,
  },
  {
    name: 'flow port from an unquoted ${...}: the fix says to quote it (issue 8.1)',
    yaml: `${APP}  health: {http: {port: \${APP_PORT}}}\n`,
    line: 4, column: 26, path: '', message: /YAML/, suggestion: /quote values that hold \$\{\.\.\.\}.*\{port: "\$\{PORT\}"\}: a quoted value still takes the type of its field/, cli: true,
  },
  {
    name: 'an unquoted ${...} after a quoted one in the same flow mapping: the fix still says to quote it',
    yaml: `${APP}  health: {http: {port: "\${P}"}, interval: \${I}}\n`,
    line: 4, column: 45, path: '', message: /YAML/, suggestion: /quote values that hold/,
  },
  {
    name: 'flow port from an unset variable, quoted as the fix says (issue 8.1)',
    yaml: `${APP}  health: {http: {port: "\${APP_PORT}"}}\n`,
    env: {},
    line: 4, column: 25, path: 'app.health.http.port', message: /APP_PORT is not set: expected integer, got ""/, suggestion: /set APP_PORT in the environment/, cli: true,
  },
  {
    name: 'port mapping from an unset variable (issue 8.1)',
    yaml: `${APP}  ports: ["\${HOST_PORT}:8080"]\n`,
    env: {},
    line: 4, column: 11, path: 'app.ports[0]', message: /HOST_PORT is not set: ":8080" is not a port mapping/, suggestion: /set HOST_PORT/, cli: true,
  },
  {
    name: 'retries from a variable that is not a number (issue 8.1)',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    retries: \${N:-three}\n`,
    env: {},
    line: 6, column: 14, path: 'app.health.retries', message: /N is not set: expected integer, got "three"/, suggestion: /set N/,
  },
  {
    name: 'project name longer than a hostname (issue 9.12: passed validate, failed at up)',
    yaml: `name: ${'a'.repeat(64)}\n${APP}`,
    line: 1, column: 7, path: 'name', message: /longer than 63 characters/, suggestion: /hostname/, cli: true,
  },
  {
    name: 'project name ending in a dash',
    yaml: `name: shop-\n${APP}`,
    line: 1, column: 7, path: 'name', message: /project name "shop-" is invalid/, suggestion: /ending with a letter or digit/,
  },
  {
    name: 'sidecar name longer than a hostname',
    yaml: `${APP}sidecars:\n  ${'s'.repeat(64)}: {image: x}\n`,
    line: 5, column: 3, path: `sidecars.${'s'.repeat(64)}`, message: /longer than 63 characters/, suggestion: /at most 63/,
  },
  {
    name: 'volume name longer than 63 characters',
    yaml: `${APP}volumes:\n  ${'v'.repeat(64)}: {}\n`,
    line: 5, column: 3, path: `volumes.${'v'.repeat(64)}`, message: /longer than 63 characters/, suggestion: /at most 63/,
  },
  {
    name: 'NUL byte in a command argument (issue 9.12)',
    yaml: 'version: 1\napp:\n  command: [node, "a\\0b"]\n',
    line: 3, column: 19, path: 'app.command[1]', message: /the value holds a NUL byte/, suggestion: /cannot hold a NUL byte/, cli: true,
  },
  {
    name: 'raw NUL byte in an env value',
    yaml: `${APP}  env:\n    A: "x\0y"\n`,
    line: 5, column: 8, path: 'app.env.A', message: /NUL byte/, suggestion: /remove it/,
  },
  {
    name: 'NUL byte from a variable in .env',
    yaml: `${APP}  env:\n    A: \${FROM_DOTENV}\n`,
    files: {'.env': 'FROM_DOTENV="x\0y"\n'},
    line: 5, column: 8, path: 'app.env.A', message: /NUL byte/, suggestion: /remove it/,
  },
  {
    name: 'NUL byte in an env file',
    yaml: `${APP}  envFile: [app.env]\n`,
    files: {'app.env': 'A=x\0y\n'},
    line: 4, column: 13, path: 'app.envFile[0]', message: /app\.env: A holds a NUL byte/, suggestion: /remove it/,
  },
  {
    name: 'health with two probes',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    http: {port: 8080}\n`,
    line: 5, column: 5, path: 'app.health', message: /2 probes \(http, tcp\)/, suggestion: /exactly one/, cli: true,
  },
  {
    name: 'health with no probe',
    yaml: `${APP}  health:\n    interval: 2s\n`,
    line: 5, column: 5, path: 'app.health', message: /no probe/, suggestion: /exactly one/,
  },
  {
    name: 'bad regex in a log probe',
    yaml: `${APP}  health:\n    log: "listening on ([0-9]+"\n`,
    line: 5, column: 10, path: 'app.health.log', message: /not a regular expression/, suggestion: /escape/, cli: true,
  },
  // Found by a new user's trial: RE2 reports nested repeats that multiply past its
  // limit as "invalid repeat count: {100}", which read as a malformed pattern.
  {
    name: 'nested repeats in a log probe over RE2\'s limit',
    yaml: `${APP}  health:\n    log: "((a{100}){100}){100}"\n`,
    line: 5, column: 10, path: 'app.health.log', message: /repeats nested in it that multiply to more than 1000 \(RE2's limit\), at \{100\}$/, suggestion: /use fewer or smaller nested repeats, or \+ or \* where an exact count is not needed$/, cli: true,
  },
  {
    name: 'a repeat count in a log probe over RE2\'s limit',
    yaml: `${APP}  health:\n    log: "ready a{1001}"\n`,
    line: 5, column: 10, path: 'app.health.log', message: /a repeat count over 1000 \(RE2's limit\), at \{1001\}$/, suggestion: /a count of at most 1000$/,
  },
  {
    name: 'unreadable envFile',
    yaml: `${APP}  envFile: [.env.local]\n`,
    line: 4, column: 13, path: 'app.envFile[0]', message: /env file ".env.local" cannot be read/, suggestion: /create .env.local/,
  },
  {
    name: 'invalid sidecar name',
    yaml: `${APP}sidecars:\n  Log_Shipper:\n    image: fluent-bit\n`,
    line: 5, column: 3, path: 'sidecars.Log_Shipper', message: /not a valid name/, suggestion: /log-shipper/, cli: true,
  },
  {
    name: 'service with nothing to run',
    yaml: `${APP}sidecars:\n  proxy:\n    env: {A: "1"}\n`,
    line: 6, column: 5, path: 'sidecars.proxy', message: /nothing to run/, suggestion: /image.*build.*command/,
  },
  {
    name: 'empty sidecar entry',
    yaml: `${APP}sidecars:\n  proxy:\n`,
    line: 5, column: 9, path: "sidecars.proxy", message: /service "proxy" is empty/, suggestion: /image/, cli: true,
  },
  {
    name: 'bad volume mode',
    yaml: `${APP}  volumes: ["logs:/var/log:rx"]\nvolumes:\n  logs: {}\n`,
    line: 4, column: 13, path: 'app.volumes[0]', message: /mode "rx"/, suggestion: /:ro/,
  },
  {
    name: 'relative container target',
    yaml: `${APP}  volumes: ["logs:var/log"]\nvolumes:\n  logs: {}\n`,
    line: 4, column: 13, path: 'app.volumes[0]', message: /must be an absolute path/, suggestion: /\/path/, cli: true,
  },
  {
    name: 'restart policy misspelt',
    yaml: `${APP}  restart: on-failur\n`,
    line: 4, column: 12, path: 'app.restart', message: /not one of/, suggestion: /did you mean "on-failure"/,
  },
  {
    name: 'startup mode misspelt',
    yaml: `${APP}startup: paralel\n`,
    line: 4, column: 10, path: 'startup', message: /not one of/, suggestion: /did you mean "parallel"/,
  },
  {
    name: 'invalid project name',
    yaml: `name: My App\n${APP}`,
    line: 1, column: 7, path: 'name', message: /project name/, suggestion: /lowercase/,
  },
  {
    name: 'retries 0',
    yaml: `${APP}  health:\n    tcp: {port: 8080}\n    retries: 0\n`,
    line: 6, column: 14, path: 'app.health.retries', message: /out of range/, suggestion: /1 or more/,
  },
  {
    name: 'env list item without =',
    yaml: `${APP}  env: [PORT]\n`,
    line: 4, column: 9, path: 'app.env[0]', message: /not KEY=VALUE/, suggestion: /KEY: value/,
  },
  {
    name: 'http probe path without a slash',
    yaml: `${APP}  health:\n    http: {port: 8080, path: healthz}\n`,
    line: 5, column: 30, path: 'app.health.http.path', message: /not an HTTP path/, suggestion: /\/healthz/,
  },
  {
    name: 'http probe without a port',
    yaml: `${APP}  health:\n    http: {path: /healthz}\n`,
    line: 5, column: 11, path: 'app.health.http', message: /"port" is required/, suggestion: /add "port"/,
  },
  {
    name: 'an init job waiting for a sidecar',
    yaml: `${APP}sidecars:\n  proxy: {image: x}\ninit:\n  migrate:\n    image: x\n    after: [proxy]\n`,
    line: 9, column: 13, path: 'init.migrate.after[0]', message: /can only wait for other init jobs/, suggestion: /remove/,
  },
  {
    name: 'negative maxRestarts',
    yaml: `${APP}  maxRestarts: -1\n`,
    line: 4, column: 16, path: 'app.maxRestarts', message: /out of range/, suggestion: /./,
  },
  // Issue 10.1: the pods: form, through the precompiled schema validator too (cli).
  {
    name: 'pods: top-level app next to pods',
    yaml: `${APP}pods:\n  web:\n    app: {command: [x]}\n`,
    line: 2, column: 1, path: 'app', message: /top-level "app" cannot be used together with "pods"/, suggestion: /either a top-level `app` \(one pod\) or `pods`, never both/, cli: true,
  },
  {
    name: 'pods: a cycle of after',
    yaml: 'version: 1\npods:\n  a:\n    after: [b]\n    app: {command: [x]}\n  b:\n    after: [a]\n    app: {command: [x]}\n',
    line: 4, column: 13, path: 'pods.a.after[0]', message: /pods start in a cycle: a -> b -> a$/, suggestion: /remove one of the `after` entries/, cli: true,
  },
  {
    name: 'pods: ${pods.X.host} naming an undeclared pod',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x, "${pods.wbe.host}"]}\n',
    line: 4, column: 25, path: 'pods.web.app.command[1]', message: /\$\{pods\.wbe\.host\} names an undeclared pod "wbe"$/, suggestion: /did you mean \$\{pods\.web\.host\}\?/, cli: true,
  },
];

// Several problems in one file: all reported at once, sorted by position.
export const MANY_PROBLEMS = {
  yaml: [
    'version: 1', //                                  1
    'app:', //                                        2
    '  command: [node, server.js]', //                3
    '  restart: sometimes', //                        4  enum
    '  ports: ["1:2:3:4"]', //                        5  port spec (found by normalize)
    '  health:', //                                   6
    '    tcp: {port: 8080}', //                       7
    '    timeout: soon', //                           8  duration
    'sidecars:', //                                   9
    '  proxy:', //                                   10
    '    imag: envoy', //                            11  unknown key
    '    command: envoy -c x', //                    12  command as a string
    '    stopSignal: SIGFOO', //                     13  signal (found by normalize)
    'volumez: {}', //                                14  unknown key
    '',
  ].join('\n'),
  places: [
    [4, 12, 'app.restart'],
    [5, 11, 'app.ports[0]'],
    [8, 14, 'app.health.timeout'],
    [11, 5, 'sidecars.proxy.imag'],
    [12, 14, 'sidecars.proxy.command'],
    [13, 17, 'sidecars.proxy.stopSignal'],
    [14, 1, 'volumez'],
  ] as [number, number, string][],
};
