// Preloaded (`node --import`) into the conformance fixture programs when they
// run in containers: they bind 127.0.0.1, which is right for processes on the
// host, but probes reach a pod at its IP (as Kubernetes probes do), so listen
// on all interfaces instead. The programs themselves stay unchanged.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && args[1] === '127.0.0.1') args[1] = '0.0.0.0';
  return listen.apply(this, args);
};
