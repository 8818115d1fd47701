import * as assert from 'node:assert/strict';
import { zoneId } from '../../../src/core/report';

/** Minutes east of UTC that `zone` has at `ms`, by Intl (independent of how zoneId found the name). */
function offsetIn(zone: string, ms: number): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

describe('report/calendar: the local time zone rollups are keyed by', () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ; else process.env.TZ = saved;
  });

  it('names the zone Date uses, with TZ set and unset, and follows a change of TZ', () => {
    const instants = [Date.UTC(2026, 0, 15, 12), Date.UTC(2026, 6, 15, 12), Date.UTC(2026, 2, 29, 1, 30)];
    for (const tz of ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', undefined]) {
      if (tz === undefined) delete process.env.TZ; else process.env.TZ = tz;
      const id = zoneId('local');
      assert.match(id, /^local:/);
      if (tz) assert.equal(id, `local:${tz}`);
      const name = id.slice('local:'.length);
      for (const ms of instants) assert.equal(offsetIn(name, ms), 0 - new Date(ms).getTimezoneOffset() || 0, `${id} at ${new Date(ms).toISOString()}`);
    }
    assert.equal(zoneId('UTC'), 'UTC');
  });
});
