'use strict';
// A standard gRPC client (@grpc/grpc-js with @grpc/proto-loader, loading protos/ as any application would)
// lists the enterprises of 七贤岭 and the projects referred to 金普, as the gateway's caller identity.
// Usage: node units/list.js <protoDir> <internalKey> <districtAddress> <parksAddress>. Prints one JSON line.
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [, , protoDir, internalKey, districtAddress, parksAddress] = process.argv;
const def = protoLoader.loadSync(
  ['parks/units/v1/enterprise_service.proto', 'parks/units/v1/investment_project_service.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoDir] });
const units = grpc.loadPackageDefinition(def).parks.units.v1;

// The identity the gateway forwards: HMAC-SHA256 over "id\nrole\nunit" with the shared internal key.
function caller(id, role, unit) {
  const md = new grpc.Metadata();
  md.set('x-parks-caller', id);
  md.set('x-parks-caller-role', role);
  const sig = crypto.createHmac('sha256', internalKey).update(`${id}\n${role}\n${unit}`).digest('hex');
  md.set('x-parks-caller-sig', sig);
  return md;
}

function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, caller('dashboard', 'dashboard', ''), { deadline: Date.now() + 15000 },
      (err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

(async () => {
  const enterprises = new units.EnterpriseService(districtAddress, grpc.credentials.createInsecure());
  const projects = new units.InvestmentProjectService(parksAddress, grpc.credentials.createInsecure());
  const listed = await call(enterprises, 'ListEnterprises', { parent: 'districts/qixianling', page_size: 20 });
  const referred = await call(projects, 'ListReferrals', { parent: 'parks/jinpu' });
  console.log(JSON.stringify({
    enterprises: listed.enterprises.length,
    total: Number(listed.total_size),
    firstEnterprise: listed.enterprises[0] && listed.enterprises[0].name,
    referrals: referred.referrals.length,
    firstReferral: referred.referrals[0] && { name: referred.referrals[0].name, from: referred.referrals[0].from_unit, state: referred.referrals[0].state },
  }));
  enterprises.close();
  projects.close();
})().catch((err) => { console.error(`FAIL ${err.code} ${err.details || err.message}`); process.exit(1); });
