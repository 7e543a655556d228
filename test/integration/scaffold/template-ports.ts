import {readFileSync, writeFileSync} from 'node:fs';
import {freePort} from '../../helpers/free-port.js';

// Every port the templates use by default.
const TEMPLATE_PORTS = [8080, 8000, 4180, 15001, 15000, 15010, 15020, 9464];

// Moves every template port in a scaffolded manifest to a free one (other tests share this host's loopback).
export async function movePorts(file: string, ports: number[] = TEMPLATE_PORTS): Promise<void> {
  let text = readFileSync(file, 'utf8');
  for (const port of ports) text = text.replace(new RegExp(`\\b${port}\\b`, 'g'), String(await freePort()));
  writeFileSync(file, text);
}
