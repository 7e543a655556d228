import type {Unit} from './unit.js';
import type {UnitDriver} from './unit-driver.js';

// DESIGN 6: each unit's stop begins once the one before it is gone: its exit
// reported, or its processes seen gone where the runtime can tell that sooner
// (RunningUnit.gone; docker: ~35 ms before the engine's report, issue 13.2).
// `allGone` once the last one is gone; resolves once every exit is reported.
export async function stopInOrder(driver: Pick<UnitDriver, 'stopUnit'>, steps: Array<{unit: Unit; timeoutMs: number}>, allGone: () => void = () => undefined): Promise<void> {
  const stops: Promise<void>[] = [];
  for (const {unit, timeoutMs} of steps) {
    const gone = unit.running?.gone;
    const stop = driver.stopUnit(unit, timeoutMs);
    // Awaited below; a failure after the unit was gone must not go unhandled meanwhile.
    stop.catch(() => undefined);
    stops.push(stop);
    await (gone ? Promise.race([stop, gone]) : stop);
  }
  allGone();
  await Promise.all(stops);
}
