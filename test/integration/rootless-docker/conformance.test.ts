// The whole Docker runtime conformance suite, unchanged, against rootless Docker.
import './use-rootless-docker.js';
import '../docker/conformance.test.js';
