// Every template built from its own Dockerfile and run next to the demo app
// under `sidecar run --runtime docker`, against podman's Docker API.
import './use-podman-api.js';
import '../scaffold/templates-e2e-docker.test.js';
