'use strict';
// A standard client's view of a Parks server, the way grpcurl works: health via grpc.health.v1, then server
// reflection (v1 or v1alpha) to list services and fetch descriptors, then a dynamic call built only from
// what reflection returned. Usage: node reflection.js <protoDir> <host:port> <v1|v1alpha>. Prints JSON.
const path = require('path');
const { grpc, protoLoader } = require('./common');

const [, , protoDir, address, version] = process.argv;
const options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoDir] };
const healthPkg = grpc.loadPackageDefinition(protoLoader.loadSync('grpc/health/v1/health.proto', options)).grpc.health.v1;
const reflPkg = grpc.loadPackageDefinition(protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, options)).grpc.reflection[version];

function check(service) {
  const client = new healthPkg.Health(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => client.Check({ service }, { deadline: Date.now() + 5000 }, (err, resp) => resolve(err ? { code: err.code } : { status: resp.status })));
}

function reflect(requests) {
  const client = new reflPkg.ServerReflection(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo({ deadline: Date.now() + 5000 });
    const responses = [];
    call.on('data', (r) => responses.push(r));
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const r of requests) call.write(r);
    call.end();
  });
}

function varint(n) {
  const bytes = [];
  while (n > 127) { bytes.push((n & 127) | 128); n >>>= 7; }
  bytes.push(n);
  return Buffer.from(bytes);
}

(async () => {
  const out = {};
  out.overall = await check('');
  out.readiness = await check('readiness');
  out.unknown = await check('no.such.Service');

  const [list, symbol, missing] = await reflect([
    { list_services: '' },
    { file_containing_symbol: 'grpc.testing.TestService' },
    { file_containing_symbol: 'no.such.Symbol' },
  ]);
  out.services = list.list_services_response.service.map((s) => s.name);
  out.missing = missing.error_response;
  const files = symbol.file_descriptor_response.file_descriptor_proto;
  out.files = files.length;

  // FileDescriptorSet { repeated FileDescriptorProto file = 1; } built from the returned descriptors.
  const set = Buffer.concat(files.flatMap((f) => [Buffer.from([0x0a]), varint(f.length), f]));
  const dynamic = grpc.loadPackageDefinition(protoLoader.loadFileDescriptorSetFromBuffer(set, options));
  const client = new dynamic.grpc.testing.TestService(address, grpc.credentials.createInsecure());
  out.dynamicCall = await new Promise((resolve) => client.UnaryCall({ response_size: 7 }, { deadline: Date.now() + 5000 },
    (err, resp) => resolve(err ? { code: err.code } : { size: resp.payload.body.length })));
  console.log(JSON.stringify(out));
})().catch((e) => { console.log(JSON.stringify({ error: String(e && e.stack ? e.stack : e) })); process.exit(1); });
