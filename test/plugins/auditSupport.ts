// What the audit plugin's test files share: the project every hand-written line runs in, and its call ids.
export const PROJECT = '/home/alice/code/app'; // the cwd lines.ts gives every hand-written line
export const CALL = { id: 'msg_1', requestId: 'req_1' };
