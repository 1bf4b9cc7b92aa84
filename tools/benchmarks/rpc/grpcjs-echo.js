'use strict';
// R2: the same echo with @grpc/grpc-js (parses and serializes the message). Usage: node grpcjs-echo.js <port> <protoDir>
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const [, , port, protoDir] = process.argv;
const def = protoLoader.loadSync('parks/bench/v1/echo.proto', { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoDir] });
const pkg = grpc.loadPackageDefinition(def).parks.bench.v1;
const server = new grpc.Server();
server.addService(pkg.EchoService.service, { Echo(call, cb) { const r = call.request; cb(null, { name: r.name, id: r.id, tags: r.tags, payload: r.payload }); } });
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) => { if (err) { console.error(err); process.exit(1); } console.log(`PORT ${port}`); });
