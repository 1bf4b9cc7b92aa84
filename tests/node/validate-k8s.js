#!/usr/bin/env node
// Validates Kubernetes objects against the schemas of the npm package kubernetes-models.
// Input (stdin): a JSON array of objects, e.g. a rendered kustomize overlay converted to JSON.
// Output (stdout): a JSON array, one entry per object:
//   { "index", "apiVersion", "kind", "name", "validated": bool, "errors": [string] }
// `validated` is false when kubernetes-models has no model for the apiVersion/kind (e.g. Dapr's CRDs);
// the caller checks those against its own schema.
//
// kubernetes-models' schemas accept unknown fields, which would let a misspelt field (`readinesProbe`)
// through silently. So every object is wrapped in a proxy that records which properties the validator
// reads: a generated validator reads every property its schema defines (and every key of a map), so a
// property it never reads is not in the schema and is reported as unknown.
"use strict";

const fs = require("fs");

function loadModel(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9.\-/]+$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind)) {
    return null;
  }
  try {
    // The package is laid out as <group>/<version>/<Kind>, with the core group as v1/<Kind>.
    const module = require(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind] ?? null;
  } catch (e) {
    if (e && (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED")) return null;
    throw e;
  }
}

function track(value, path, nodes) {
  if (value === null || typeof value !== "object") return value;
  const reads = new Set();
  const copy = Array.isArray(value)
    ? value.map((item, i) => track(item, `${path}/${i}`, nodes))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, track(v, `${path}/${k}`, nodes)]));
  nodes.push({ path, value: copy, reads, isArray: Array.isArray(value) });
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") reads.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

function validate(obj) {
  const result = {
    apiVersion: obj?.apiVersion ?? null,
    kind: obj?.kind ?? null,
    name: obj?.metadata?.name ?? null,
    validated: false,
    errors: [],
  };
  const Model = loadModel(obj?.apiVersion, obj?.kind);
  if (!Model) return result;
  result.validated = true;

  const nodes = [];
  const tracked = track(obj, "", nodes);
  try {
    // The model's validate() runs the generated schema validator on `this`.
    Model.prototype.validate.call(tracked);
  } catch (e) {
    result.errors.push(e.message);
  }
  const unknown = [];
  for (const node of nodes) {
    if (node.isArray) continue;
    for (const key of Object.keys(node.value)) {
      if (!node.reads.has(key)) unknown.push(`${node.path}/${key}`);
    }
  }
  // Report the outermost unknown field only, not everything beneath it.
  for (const path of unknown) {
    if (!unknown.some((other) => path.startsWith(`${other}/`))) {
      result.errors.push(`data${path} is not a field of ${obj.apiVersion} ${obj.kind}`);
    }
  }
  return result;
}

const input = JSON.parse(fs.readFileSync(0, "utf8"));
if (!Array.isArray(input)) {
  process.stderr.write("validate-k8s: expected a JSON array of objects on stdin\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(input.map((obj, index) => ({ index, ...validate(obj) }))));
