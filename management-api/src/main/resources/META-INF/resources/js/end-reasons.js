// Why a session (or one of its legs) ended, in words: the broker's end reasons (docs/protocols/broker-api.md) and
// management-api's own (a session never claimed, a broker that stopped reporting, a drained session not resumed).
// Shared by the console, the sessions page and playback, so a reason reads the same everywhere.
const END_REASONS = {
  client_closed: 'the console closed the connection',
  device_closed: 'the device closed the connection',
  device_unreachable: 'the device cannot be reached',
  device_protocol_error: 'the device answered with something that is not RFB',
  device_refused: 'the device refused the viewer',
  client_protocol_error: 'the broker could not parse a message from this console',
  handshake_timeout: 'the connection was not set up in time',
  idle_timeout: 'no keyboard or mouse input for too long',
  max_duration: 'the maximum session duration was reached',
  admin_disconnect: 'an operator disconnected this session',
  broker_drained: 'the broker was shut down',
  resumed_elsewhere: 'the session was resumed in another window',
  broker_lost: 'the broker carrying it stopped reporting',
  expired: 'the ticket was never used',
  recording_failed: 'the recording could not be written',
};

/**
 * A stored or reported end reason in words, keeping the code for those who search logs: "client_closed" gives
 * "the console closed the connection (client_closed)"; "admin_disconnect: by ada" keeps its detail; a reason without
 * words (e.g. "resumed on broker-2") is returned as it is.
 */
export function reasonText(reason) {
  if (!reason) {
    return '';
  }
  const m = /^([a-z_]+)(?::\s*(.*))?$/.exec(reason);
  if (!m || !END_REASONS[m[1]]) {
    return reason;
  }
  return END_REASONS[m[1]] + (m[2] ? ': ' + m[2] : '') + ' (' + m[1] + ')';
}
