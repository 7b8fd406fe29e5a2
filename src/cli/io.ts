// Where a command writes: the process's stdout and stderr, or a test's buffers (main.ts's run takes one).
// Its own module so that commands never import the program (main.ts), which imports them.

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
