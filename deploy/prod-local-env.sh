# The environment of `make prod-local` (sourced by prod-local.sh and loadtest.sh).
pg_admin="${STRONGROOM_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export STRONGROOM_DATA_DIR="${STRONGROOM_DATA_DIR:-$PWD/var-prod}"
export STRONGROOM_DATABASE_URL="${pg_admin%/*}/strongroom_prodlocal"
export STRONGROOM_REDIS_URL="${STRONGROOM_REDIS_URL:-redis://127.0.0.1:6379/1}"
export STRONGROOM_ALLOWED_HOSTS="localhost,127.0.0.1"
export STRONGROOM_PUBLIC_URL="https://localhost:9443"
export STRONGROOM_BEHIND_PROXY=1 STRONGROOM_PROXY_HOPS=1
export STRONGROOM_LOG_LEVEL="${STRONGROOM_LOG_LEVEL:-WARNING}"
