// Worker-thread entry: builds the Buckets of whole ledger files for the rollup store (scanPool.ts),
// so that a cold multi-file report uses every core and keeps the caller's thread (the VS Code
// extension host) responsive. One message in per file, one message out.
import { createHash } from 'crypto';
import { parentPort } from 'worker_threads';
import { zoneId } from './calendar';
import { scanFile } from './fileScan';
import { encodeBuckets } from './rollupCodec';
import type { ScanJob, ScanReply } from './scanPool';
import { errorText } from '../errorText';

parentPort?.on('message', (job: ScanJob) => {
  void run(job).then((reply) => parentPort!.postMessage(reply, reply.ok ? [reply.buckets.buffer as ArrayBuffer, ...(reply.transient ? [reply.transient.buffer as ArrayBuffer] : [])] : []));
});

async function run(job: ScanJob): Promise<ScanReply> {
  try {
    if (zoneId(job.zone) !== job.zoneKey) return { id: job.id, ok: false, error: `worker time zone ${zoneId(job.zone)} is not ${job.zoneKey}` };
    const hash = createHash('sha1');
    const scan = await scanFile(job.path, { zone: job.zone, topK: job.topK, to: job.to, hash });
    return {
      id: job.id, ok: true, buckets: own(encodeBuckets(scan.buckets)), transient: scan.transient ? own(encodeBuckets(scan.transient)) : undefined, transientRecords: scan.transientRecords,
      stats: scan.stats, endOffset: scan.endOffset, sha1: hash.digest('hex'),
    };
  } catch (e) {
    return { id: job.id, ok: false, error: errorText(e) };
  }
}

/** A copy with its own ArrayBuffer (so it can be transferred, not cloned). */
function own(b: Buffer): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}
