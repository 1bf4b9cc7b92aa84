'use strict';
// The standard gRPC interop client cases (grpc/grpc doc/interop-test-descriptions.md), run by @grpc/grpc-js
// against a server under test. Usage: node client.js <protoDir> <host:port> <case>. Prints PASS or the failure.
const assert = require('assert');
const { grpc, loadTesting } = require('./common');

const [, , protoDir, address, testCase] = process.argv;
const testing = loadTesting(protoDir);
const client = new testing.TestService(address, grpc.credentials.createInsecure());
const zeros = (n) => Buffer.alloc(n);
const deadline = (ms) => Date.now() + ms;

function unary(method, request, metadata = new grpc.Metadata(), options = { deadline: deadline(10000) }) {
  return new Promise((resolve) => {
    let headers = null;
    let status = null;
    let result = null;
    const call = client[method](request, metadata, options, (err, resp) => { result = { err, resp }; maybeDone(); });
    call.on('metadata', (md) => { headers = md; });
    call.on('status', (st) => { status = st; maybeDone(); });
    function maybeDone() { if (result && status) resolve({ ...result, headers, status }); }
  });
}

function collect(call) {
  return new Promise((resolve) => {
    const messages = [];
    let headers = null;
    let error = null;
    call.on('metadata', (md) => { headers = md; });
    call.on('data', (m) => messages.push(m));
    call.on('error', (e) => { error = e; });
    call.on('status', (status) => resolve({ messages, headers, status, error }));
  });
}

const cases = {
  async empty_unary() {
    const { err, resp } = await unary('EmptyCall', {});
    assert.ifError(err);
    assert.deepStrictEqual(resp, {});
  },
  async large_unary() {
    const { err, resp } = await unary('UnaryCall', { response_size: 314159, payload: { body: zeros(271828) } });
    assert.ifError(err);
    assert.strictEqual(resp.payload.body.length, 314159);
    assert.ok(resp.payload.body.every((b) => b === 0));
  },
  async client_streaming() {
    const result = await new Promise((resolve) => {
      const call = client.StreamingInputCall({ deadline: deadline(10000) }, (err, resp) => resolve({ err, resp }));
      for (const size of [27182, 8, 1828, 45904]) call.write({ payload: { body: zeros(size) } });
      call.end();
    });
    assert.ifError(result.err);
    assert.strictEqual(result.resp.aggregated_payload_size, 74922);
  },
  async server_streaming() {
    const sizes = [31415, 9, 2653, 58979];
    const call = client.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) }, { deadline: deadline(10000) });
    const { messages, status } = await collect(call);
    assert.strictEqual(status.code, grpc.status.OK, status.details);
    assert.deepStrictEqual(messages.map((m) => m.payload.body.length), sizes);
  },
  async ping_pong() {
    const requestSizes = [27182, 8, 1828, 45904];
    const responseSizes = [31415, 9, 2653, 58979];
    const call = client.FullDuplexCall({ deadline: deadline(10000) });
    const done = collect(call);
    const received = [];
    let index = 0;
    const next = () => call.write({ response_parameters: [{ size: responseSizes[index] }], payload: { body: zeros(requestSizes[index]) } });
    call.on('data', (m) => {
      received.push(m.payload.body.length);
      index += 1;
      if (index < requestSizes.length) next(); else call.end();
    });
    next();
    const { status } = await done;
    assert.strictEqual(status.code, grpc.status.OK, status.details);
    assert.deepStrictEqual(received, responseSizes);
  },
  async empty_stream() {
    const call = client.FullDuplexCall({ deadline: deadline(10000) });
    const done = collect(call);
    call.end();
    const { messages, status } = await done;
    assert.strictEqual(status.code, grpc.status.OK, status.details);
    assert.strictEqual(messages.length, 0);
  },
  async custom_metadata() {
    const md = () => {
      const m = new grpc.Metadata();
      m.set('x-grpc-test-echo-initial', 'test_initial_metadata_value');
      m.set('x-grpc-test-echo-trailing-bin', Buffer.from('ababab', 'hex'));
      return m;
    };
    const u = await unary('UnaryCall', { response_size: 314159, payload: { body: zeros(271828) } }, md());
    assert.ifError(u.err);
    assert.deepStrictEqual(u.headers.get('x-grpc-test-echo-initial'), ['test_initial_metadata_value']);
    assert.ok(Buffer.from('ababab', 'hex').equals(u.status.metadata.get('x-grpc-test-echo-trailing-bin')[0]));

    const call = client.FullDuplexCall(md(), { deadline: deadline(10000) });
    const done = collect(call);
    call.write({ response_parameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
    call.end();
    const d = await done;
    assert.strictEqual(d.status.code, grpc.status.OK, d.status.details);
    assert.deepStrictEqual(d.headers.get('x-grpc-test-echo-initial'), ['test_initial_metadata_value']);
    assert.ok(Buffer.from('ababab', 'hex').equals(d.status.metadata.get('x-grpc-test-echo-trailing-bin')[0]));
  },
  async status_code_and_message() {
    const echo = { code: 2, message: 'test status message' };
    const u = await unary('UnaryCall', { response_status: echo });
    assert.ok(u.err, 'expected an error');
    assert.strictEqual(u.err.code, 2);
    assert.strictEqual(u.err.details, 'test status message');

    const call = client.FullDuplexCall({ deadline: deadline(10000) });
    const done = collect(call);
    call.write({ response_status: echo });
    call.end();
    const { status } = await done;
    assert.strictEqual(status.code, 2);
    assert.strictEqual(status.details, 'test status message');
  },
  async special_status_message() {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n';
    const u = await unary('UnaryCall', { response_status: { code: 2, message } });
    assert.ok(u.err, 'expected an error');
    assert.strictEqual(u.err.code, 2);
    assert.strictEqual(u.err.details, message);
  },
  async unimplemented_method() {
    const u = await unary('UnimplementedCall', {});
    assert.ok(u.err, 'expected an error');
    assert.strictEqual(u.err.code, grpc.status.UNIMPLEMENTED);
  },
  async unimplemented_service() {
    const other = new testing.UnimplementedService(address, grpc.credentials.createInsecure());
    const err = await new Promise((resolve) => other.UnimplementedCall({}, { deadline: deadline(10000) }, (e) => resolve(e)));
    assert.ok(err, 'expected an error');
    assert.strictEqual(err.code, grpc.status.UNIMPLEMENTED);
  },
  async cancel_after_begin() {
    const err = await new Promise((resolve) => {
      const call = client.StreamingInputCall({ deadline: deadline(10000) }, (e) => resolve(e));
      call.cancel();
    });
    assert.ok(err, 'expected an error');
    assert.strictEqual(err.code, grpc.status.CANCELLED);
  },
  async cancel_after_first_response() {
    const call = client.FullDuplexCall({ deadline: deadline(10000) });
    const done = collect(call);
    call.on('data', () => call.cancel());
    call.write({ response_parameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    const { status, messages } = await done;
    assert.strictEqual(status.code, grpc.status.CANCELLED);
    assert.strictEqual(messages.length, 1);
  },
  async timeout_on_sleeping_server() {
    const call = client.FullDuplexCall({ deadline: deadline(1) });
    const done = collect(call);
    call.write({ payload: { body: zeros(27182) } });
    const { status } = await done;
    assert.strictEqual(status.code, grpc.status.DEADLINE_EXCEEDED, `got ${status.code} ${status.details}`);
  },
};

// "all" runs every case in turn and prints one line per case: "<case> PASS" or "<case> FAIL <reason>".
(async () => {
  const names = testCase === 'all' ? Object.keys(cases) : [testCase];
  let failed = false;
  for (const name of names) {
    const run = cases[name];
    if (!run) { console.log(`${name} FAIL unknown case`); failed = true; continue; }
    try {
      await run();
      console.log(`${name} PASS`);
    } catch (e) {
      failed = true;
      console.log(`${name} FAIL ${String(e && e.stack ? e.stack : e).replace(/\n/g, ' | ')}`);
    }
  }
  process.exit(failed ? 1 : 0);
})();
