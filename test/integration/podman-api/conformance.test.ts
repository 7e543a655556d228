// The whole Docker runtime conformance suite, unchanged, against podman's
// Docker API: lifecycle order, kill -9 restarts, completion, stop of a
// SIGTERM-ignorer, reaping after a dead supervisor, several pods.
import './use-podman-api.js';
import '../docker/conformance.test.js';
