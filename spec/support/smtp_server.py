#!/usr/bin/env python3
"""A real SMTP server for the specs (Debian's python3-aiosmtpd) on 127.0.0.1.

STARTTLS required (self-signed cert given by the caller), AUTH PLAIN/LOGIN
required, each accepted message saved as DIR/N.eml (the bytes as received,
dot-unstuffed) and DIR/N.json (envelope, login, client port); with
--forward URL also posts it to the sandbox (messages.mime), so SMTP
submissions appear in /sandbox/messages beside the HTTP ones.  With
--drop-after N a proxy in front closes both sides once the client has sent
N bytes: a server that drops the connection mid-message.  Writes the port
to --ready when listening; exits when --watch-pid is gone.

    smtp_server.py --dir D --cert C --key K --user U --password P --ready F
    smtp_server.py --inspect FILE   # the message through the strict parser
"""
import argparse
import asyncio
import hashlib
import json
import os
import socket
import ssl
import sys
import time


def inspect(path):
    """The message as JSON, from Python's strict email parser."""
    import email
    import email.policy
    with open(path, 'rb') as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.strict)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            parts.append({'type': part.get_content_type()})
            continue
        payload = part.get_payload(decode=True)
        item = {'type': part.get_content_type(),
                'encoding': part.get('Content-Transfer-Encoding'),
                'filename': part.get_filename(),
                'disposition': part.get_content_disposition(),
                'cid': part.get('Content-ID'),
                'size': len(payload),
                'sha256': hashlib.sha256(payload).hexdigest()}
        if part.get_content_maintype() == 'text':
            item['text'] = part.get_content()
        parts.append(item)
    headers = {}
    for name, value in msg.items():
        headers.setdefault(name, []).append(str(value))
    lines = raw.split(b'\r\n')
    print(json.dumps({'headers': headers, 'parts': parts,
                      'defects': [str(d) for p in msg.walk() for d in p.defects],
                      'max_line': max(len(line) for line in lines),
                      'bare_lf': raw.replace(b'\r\n', b'').count(b'\n')}))


def forward(url, key, domain, rcpts, raw):
    """POST the message to the sandbox's messages.mime; True when accepted."""
    import base64
    import urllib.request
    boundary = 'smtp-forward-%d' % time.time_ns()
    body = b''
    for rcpt in rcpts:
        body += ('--%s\r\nContent-Disposition: form-data; name="to"\r\n\r\n%s\r\n'
                 % (boundary, rcpt)).encode()
    body += ('--%s\r\nContent-Disposition: form-data; name="message"; filename="message.mime"'
             '\r\nContent-Type: message/rfc822\r\n\r\n' % boundary).encode()
    body += raw + ('\r\n--%s--\r\n' % boundary).encode()
    req = urllib.request.Request(
        url.rstrip('/') + '/v3/%s/messages.mime' % domain, data=body, method='POST',
        headers={'Content-Type': 'multipart/form-data; boundary=' + boundary,
                 'Authorization': 'Basic ' + base64.b64encode(('api:' + key).encode()).decode()})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return 200 <= res.status < 300
    except Exception:
        return False


class Saver:
    def __init__(self, directory, forward_to=None):
        self.directory = directory
        self.forward_to = forward_to
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.forward_to and not forward(*self.forward_to, envelope.rcpt_tos,
                                           envelope.original_content):
            return '451 4.3.0 the sandbox did not take the message'
        self.count += 1
        base = os.path.join(self.directory, '%d' % self.count)
        with open(base + '.eml.tmp', 'wb') as f:
            f.write(envelope.original_content)
        os.rename(base + '.eml.tmp', base + '.eml')
        login = getattr(session, 'auth_data', None)
        if isinstance(login, bytes):
            login = login.decode()
        meta = {'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
                'peer_port': session.peer[1] if session.peer else None,
                'login': login, 'tls': session.ssl is not None}
        with open(base + '.json', 'w') as f:
            json.dump(meta, f)
        return '250 OK queued as %d' % self.count


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def proxy(listen_port, target_port, drop_after):
    async def pipe(reader, writer, counter):
        try:
            while True:
                data = await reader.read(16384)
                if not data:
                    break
                if counter is not None:
                    counter[0] += len(data)
                    if counter[0] > drop_after:
                        break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        for w in (writer,):
            try:
                w.transport.abort()
            except Exception:
                pass

    async def client(reader, writer):
        up_reader, up_writer = await asyncio.open_connection('127.0.0.1', target_port)
        counter = [0]
        a = asyncio.ensure_future(pipe(reader, up_writer, counter))
        b = asyncio.ensure_future(pipe(up_reader, writer, None))
        await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
        writer.transport.abort()
        up_writer.transport.abort()

    return await asyncio.start_server(client, '127.0.0.1', listen_port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--inspect')
    ap.add_argument('--dir')
    ap.add_argument('--cert')
    ap.add_argument('--key')
    ap.add_argument('--user', default='user')
    ap.add_argument('--password', default='secret')
    ap.add_argument('--ready')
    ap.add_argument('--drop-after', type=int, default=0)
    ap.add_argument('--no-tls', action='store_true')
    ap.add_argument('--watch-pid', type=int, default=0)
    ap.add_argument('--forward', help='sandbox base URL')
    ap.add_argument('--forward-key', default='key-sandbox')
    ap.add_argument('--forward-domain', default='sandbox.test')
    args = ap.parse_args()
    if args.inspect:
        inspect(args.inspect)
        return

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        return AuthResult(success=ok, handled=False,
                          auth_data=auth_data.login.decode() if ok else None)

    context = None
    if not args.no_tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    inner = free_port()
    controller = Controller(
        Saver(args.dir, args.forward and (args.forward, args.forward_key,
                                          args.forward_domain)), hostname='127.0.0.1', port=inner,
        tls_context=context, require_starttls=context is not None,
        authenticator=authenticator, auth_required=True,
        auth_require_tls=context is not None,
        server_hostname='localhost', data_size_limit=64 * 1024 * 1024,
        ready_timeout=60)
    controller.start()
    port = inner
    if args.drop_after:
        port = free_port()
        loop = asyncio.new_event_loop()
        loop.run_until_complete(proxy(port, inner, args.drop_after))
        import threading
        threading.Thread(target=loop.run_forever, daemon=True).start()
    with open(args.ready + '.tmp', 'w') as f:
        f.write('%d\n' % port)
    os.rename(args.ready + '.tmp', args.ready)
    try:
        while True:
            time.sleep(0.5)
            if args.watch_pid:
                try:
                    os.kill(args.watch_pid, 0)
                except ProcessLookupError:
                    break
    except KeyboardInterrupt:
        pass
    controller.stop()
    sys.exit(0)


if __name__ == '__main__':
    main()
