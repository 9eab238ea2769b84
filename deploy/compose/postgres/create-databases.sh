#!/bin/sh
# Runs once, on the first start of an empty data volume: one database per service,
# named after its slug with "-" replaced by "_" (QH_DATABASES, comma-separated).
set -eu
for db in $(echo "${QH_DATABASES}" | tr ',' ' '); do
  echo "creating database ${db}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres \
    -c "CREATE DATABASE \"${db}\""
done
