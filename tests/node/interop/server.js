'use strict';
// The interop TestService implemented with @grpc/grpc-js, as the independent server for the .NET client's
// interop cases. Usage: node server.js <protoDir>. Prints "PORT <n>" once listening; stops on SIGTERM/stdin end.
const { grpc, loadTesting } = require('./common');

const testing = loadTesting(process.argv[2]);
const zeros = (n) => ({ type: 'COMPRESSABLE', body: Buffer.alloc(n) });

function echoMetadata(call) {
  const initial = call.metadata.get('x-grpc-test-echo-initial');
  if (initial.length) {
    const md = new grpc.Metadata();
    md.set('x-grpc-test-echo-initial', initial[0]);
    call.sendMetadata(md);
  }
  const trailers = new grpc.Metadata();
  const trailing = call.metadata.get('x-grpc-test-echo-trailing-bin');
  if (trailing.length) trailers.set('x-grpc-test-echo-trailing-bin', trailing[0]);
  return trailers;
}

function statusError(echo, trailers) {
  if (!echo || !echo.code) return null;
  return { code: echo.code, details: echo.message, metadata: trailers };
}

const sleep = (us) => new Promise((r) => setTimeout(r, Math.ceil(us / 1000)));

const impl = {
  EmptyCall(call, cb) { cb(null, {}); },
  UnaryCall(call, cb) {
    const trailers = echoMetadata(call);
    const err = statusError(call.request.response_status, trailers);
    if (err) return cb(err);
    cb(null, { payload: zeros(call.request.response_size) }, trailers);
  },
  CacheableUnaryCall(call, cb) { cb(null, { payload: zeros(call.request.response_size) }); },
  async StreamingOutputCall(call) {
    const trailers = echoMetadata(call);
    for (const p of call.request.response_parameters) {
      if (p.interval_us) await sleep(p.interval_us);
      call.write({ payload: zeros(p.size) });
    }
    const err = statusError(call.request.response_status, trailers);
    if (err) { call.emit('error', err); return; }
    call.end(trailers);
  },
  StreamingInputCall(call, cb) {
    let total = 0;
    call.on('data', (m) => { total += m.payload ? m.payload.body.length : 0; });
    call.on('end', () => cb(null, { aggregated_payload_size: total }));
    call.on('error', () => {});
  },
  FullDuplexCall(call) {
    const trailers = echoMetadata(call);
    let failed = false;
    let chain = Promise.resolve();
    call.on('data', (m) => {
      chain = chain.then(async () => {
        if (failed) return;
        const err = statusError(m.response_status, trailers);
        if (err) { failed = true; call.emit('error', err); return; }
        for (const p of m.response_parameters) {
          if (p.interval_us) await sleep(p.interval_us);
          call.write({ payload: zeros(p.size) });
        }
      });
    });
    call.on('end', () => { chain.then(() => { if (!failed) call.end(trailers); }); });
    call.on('error', () => {});
  },
  HalfDuplexCall(call) {
    const requests = [];
    call.on('data', (m) => requests.push(m));
    call.on('end', () => {
      for (const r of requests) for (const p of r.response_parameters) call.write({ payload: zeros(p.size) });
      call.end();
    });
  },
};

const server = new grpc.Server();
server.addService(testing.TestService.service, impl);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) { console.error(err); process.exit(1); }
  console.log(`PORT ${port}`);
});
const stop = () => server.tryShutdown(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
