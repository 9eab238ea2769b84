#!/usr/bin/env bash
# Creates the local cluster once: a registry container on localhost:5001, the kind
# cluster from kind-config.yaml wired to it, the ingress-nginx controller for kind and
# the Dapr control plane. Safe to re-run; each step skips what already exists.
# Needs: docker, kind, kubectl, the dapr CLI (and network access for their images).
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=qh
REG_NAME=kind-registry
REG_PORT=5001
INGRESS_NGINX_MANIFEST=${INGRESS_NGINX_MANIFEST:-https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.1/deploy/static/provider/kind/deploy.yaml}

if [ "$(docker inspect -f '{{.State.Running}}' "$REG_NAME" 2>/dev/null || true)" != "true" ]; then
  docker run -d --restart=always -p "127.0.0.1:${REG_PORT}:5000" --network bridge \
    --name "$REG_NAME" registry:2
fi

if ! kind get clusters | grep -qx "$CLUSTER"; then
  kind create cluster --config kind-config.yaml
fi

# Inside the nodes, localhost:5001 means the registry container on the kind network.
for node in $(kind get nodes --name "$CLUSTER"); do
  docker exec "$node" mkdir -p "/etc/containerd/certs.d/localhost:${REG_PORT}"
  printf '[host."http://%s:5000"]\n' "$REG_NAME" |
    docker exec -i "$node" cp /dev/stdin "/etc/containerd/certs.d/localhost:${REG_PORT}/hosts.toml"
done
if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$REG_NAME")" = "null" ]; then
  docker network connect kind "$REG_NAME"
fi

# How Tilt (and other tools) discover the registry (KEP-1755).
kubectl --context "kind-${CLUSTER}" apply -f - <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: local-registry-hosting
  namespace: kube-public
data:
  localRegistryHosting.v1: |
    host: "localhost:${REG_PORT}"
    help: "https://kind.sigs.k8s.io/docs/user/local-registry/"
YAML

kubectl --context "kind-${CLUSTER}" apply -f "$INGRESS_NGINX_MANIFEST"
kubectl --context "kind-${CLUSTER}" -n ingress-nginx wait --for=condition=ready pod \
  --selector=app.kubernetes.io/component=controller --timeout=180s

if ! kubectl --context "kind-${CLUSTER}" get namespace dapr-system >/dev/null 2>&1; then
  dapr init -k --wait
fi

echo "kind cluster '${CLUSTER}' is ready: run 'tilt up'"
