# session-broker, replica 1 (see session-broker.inc).
# shellcheck source=scripts/demo.d/session-broker.inc
source "$(dirname "${BASH_SOURCE[0]}")/session-broker.inc"
broker_descriptor 1
