// Whether PostgreSQL answers on 127.0.0.1:5432: scenarios skip their PostgreSQL rows, and say so, when it does not.
import { connect } from 'node:net';

let answer;
export function pgAvailable() {
  answer ??= new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port: 5432, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
  return answer;
}
