// A server that only records what reaches it (headers and body) and answers 200 `{}`: the "other origin"
// of redirect tests. If it records anything, a key or a prompt left the configured endpoint.
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface CaughtRequest { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }

export interface Catcher {
  url: string;
  caught: CaughtRequest[];
  close(): Promise<void>;
}

export async function startCatcher(): Promise<Catcher> {
  const caught: CaughtRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      caught.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caught,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
