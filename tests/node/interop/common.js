'use strict';
// Loads grpc.testing from the proto directory the .NET test passes, the way any grpc-js application would.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function loadTesting(protoDir) {
  const def = protoLoader.loadSync('grpc/testing/test.proto', {
    keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoDir],
  });
  return grpc.loadPackageDefinition(def).grpc.testing;
}

module.exports = { grpc, protoLoader, loadTesting };
