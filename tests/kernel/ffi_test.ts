/**
 * FFI layer against the real kernel: libc errors, FfiTransport dumps, sizing, fd hygiene and
 * namespace switching. Needs root; links are only ever looked at or changed inside namespaces
 * this file creates (nlf-<random>) and removes in `finally`.
 *
 * Run: `npx deno test --allow-all tests/ffi_test.ts` and `npx bun test tests/ffi_test.ts`.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readlinkSync } from "node:fs";
import { SyscallError } from "../../src/marshal/errors.ts";
import { libc } from "../../ffi/load.ts";
import { FfiTransport, openNetnsFd } from "../../ffi/transport.ts";

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const CLONE_NEWNET = 0x40000000;
const RTMGRP_LINK = 1;
const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const POLLIN = 1;
const TUNSETIFF = 0x400454ca;
const TUNSETPERSIST = 0x400454cb;
const TUNGETIFF = 0x800454d2;
const IFF_TAP = 0x2;
const IFF_NO_PI = 0x1000;

/** RTM_GETLINK dump request: nlmsghdr (len 32, type 18, NLM_F_REQUEST|NLM_F_ACK|NLM_F_DUMP) + ifinfomsg. */
function getLinkDump(seq: number): Uint8Array<ArrayBuffer> {
  const req = new Uint8Array(32);
  const v = new DataView(req.buffer);
  v.setUint32(0, 32, true);
  v.setUint16(4, RTM_GETLINK, true);
  v.setUint16(6, 0x301, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, 0, true);
  return req;
}

interface Msg {
  type: number;
  seq: number;
  pid: number;
  body: DataView;
}

/** Split a datagram into netlink messages (test-local, deliberately independent of src/marshal). */
function messages(datagram: Uint8Array): Msg[] {
  const v = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const out: Msg[] = [];
  for (let off = 0; off + 16 <= v.byteLength;) {
    const len = v.getUint32(off, true);
    assert.ok(len >= 16 && off + len <= v.byteLength, `bad nlmsg_len ${len} at ${off}`);
    out.push({
      type: v.getUint16(off + 4, true),
      seq: v.getUint32(off + 8, true),
      pid: v.getUint32(off + 12, true),
      body: new DataView(v.buffer, v.byteOffset + off + 16, len - 16),
    });
    off += (len + 3) & ~3;
  }
  return out;
}

/** IFLA_IFNAME of an RTM_NEWLINK body (ifinfomsg is 16 bytes, then attributes). */
function ifname(body: DataView): string | undefined {
  for (let off = 16; off + 4 <= body.byteLength;) {
    const len = body.getUint16(off, true);
    if (len < 4) break;
    if ((body.getUint16(off + 2, true) & 0x3fff) === IFLA_IFNAME) {
      const bytes = new Uint8Array(body.buffer, body.byteOffset + off + 4, len - 4);
      return new TextDecoder().decode(bytes).replace(/\0.*$/s, "");
    }
    off += (len + 3) & ~3;
  }
  return undefined;
}

/** Dump links over `t` and return their names, checking seq and port id of every reply. */
function linkNames(t: FfiTransport, seq: number): string[] {
  t.send(getLinkDump(seq));
  const names: string[] = [];
  for (let datagrams = 0; datagrams < 10_000; datagrams++) {
    const d = t.receive(5000);
    assert.ok(d !== null, "dump reply timed out");
    for (const m of messages(d)) {
      assert.equal(m.seq, seq);
      assert.equal(m.pid, t.portId);
      if (m.type === NLMSG_DONE) return names;
      assert.notEqual(m.type, NLMSG_ERROR, "dump failed");
      if (m.type === RTM_NEWLINK) names.push(ifname(m.body) ?? "");
    }
  }
  throw new Error("dump did not end");
}

const ownNetns = () => readlinkSync("/proc/thread-self/ns/net");
const fdCount = () => readdirSync("/proc/self/fd").length;

/** Run `fn` with a fresh namespace nlf-<random>, removed afterwards whatever happens. */
function withNetns(fn: (name: string) => void): void {
  const name = `nlf-${randomBytes(4).toString("hex")}`;
  execFileSync("ip", ["netns", "add", name]);
  try {
    fn(name);
  } finally {
    execFileSync("ip", ["netns", "delete", name]);
  }
}

test("FfiTransport.open() binds to a kernel-assigned port id", () => {
  using t = FfiTransport.open();
  assert.ok(t.portId > 0);
  assert.ok(t.fd >= 0);
});

test("RTM_GETLINK dump ends with NLMSG_DONE and includes lo", () => {
  using t = FfiTransport.open();
  assert.ok(linkNames(t, 1).includes("lo"));
});

test("libc.scratch() gives a buffer of its own that recv can fill", () => {
  const a = libc.scratch(64 * 1024);
  const b = libc.scratch(64 * 1024);
  assert.ok(a instanceof Uint8Array && Object.getPrototypeOf(a) === Uint8Array.prototype);
  assert.equal(a.byteLength, 64 * 1024);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, 64 * 1024);
  assert.notEqual(a.buffer, b.buffer);
  // independent memory: writing one does not show in the other
  a.fill(0xaa);
  b.fill(0x55);
  assert.equal(a[100], 0xaa);
  using t = FfiTransport.open();
  const req = new Uint8Array(32);
  const dv = new DataView(req.buffer);
  dv.setUint32(0, 32, true);
  dv.setUint16(4, 18, true); // RTM_GETLINK
  dv.setUint16(6, 0x301, true); // NLM_F_REQUEST | NLM_F_DUMP
  t.send(req);
  const n = libc.recv(t.fd, a, 0);
  assert.ok(n >= 16 && new DataView(a.buffer).getUint32(0, true) <= n);
});

test("receive(0) on an idle socket returns null", () => {
  using t = FfiTransport.open();
  assert.equal(t.receive(0), null);
  assert.equal(t.receive(1), null);
});

test("receive() grows its buffer for a datagram larger than 32 KiB", () => {
  // Without NETLINK_CAP_ACK the error reply echoes the whole (40 KiB) request.
  using t = FfiTransport.open({ capAck: false });
  const size = 40_000;
  const req = new Uint8Array(size);
  const v = new DataView(req.buffer);
  v.setUint32(0, size, true);
  v.setUint16(4, RTM_GETLINK, true);
  v.setUint16(6, 0x5, true); // NLM_F_REQUEST | NLM_F_ACK
  v.setUint32(8, 7, true);
  for (let off = 32; off < size; off += 8000) {
    v.setUint16(off, 8000, true); // an attribute type the kernel ignores, 8000 bytes long
    v.setUint16(off + 2, 0x3fff, true);
  }
  t.send(req);
  const d = t.receive(5000);
  assert.ok(d !== null);
  assert.ok(d.byteLength > 32 * 1024, `datagram is ${d.byteLength} bytes`);
  const [m] = messages(d);
  assert.equal(m.type, NLMSG_ERROR);
  assert.ok(m.body.getInt32(0, true) < 0);
  assert.equal(m.body.getUint32(4, true), size); // the echoed request's nlmsg_len
  assert.equal(t.receive(0), null);
});

test("receive() hands out bytes that no later receive overwrites", () => {
  using t = FfiTransport.open();
  t.send(getLinkDump(1));
  const first = t.receive(5000)!;
  const snapshot = first.slice();
  const later: Uint8Array[] = [];
  for (let d = t.receive(0); d !== null; d = t.receive(0)) later.push(d);
  // enough traffic to fill several receive arenas
  for (let i = 0; i < 300; i++) {
    t.send(getLinkDump(2 + i));
    for (let d = t.receive(5000); d !== null; d = t.receive(0)) later.push(d);
  }
  assert.deepEqual(first, snapshot);
  for (const d of later) {
    if (d.buffer !== first.buffer) continue;
    const disjoint: boolean = d.byteOffset >= first.byteOffset + first.byteLength || d.byteOffset + d.byteLength <= first.byteOffset;
    assert.ok(disjoint, "a later datagram overlaps the first one");
  }
});

test("libc failures throw SyscallError with syscall and code", () => {
  const cases: [string, () => unknown, string, string][] = [
    ["setns on a bad fd", () => libc.setns(987654, CLONE_NEWNET), "setns", "EBADF"],
    ["close on a bad fd", () => libc.close(987654), "close", "EBADF"],
    ["open of a missing file", () => libc.open("/nonexistent/nlroute", 0), "open", "ENOENT"],
    ["socket with an unknown netlink protocol", () => libc.socket(16, 3, 31), "socket", "EPROTONOSUPPORT"],
  ];
  for (const [name, call, syscall, code] of cases) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof SyscallError, name);
      assert.equal(e.syscall, syscall, name);
      assert.equal(e.code, code, name);
      return true;
    });
  }
});

test("a closed FfiTransport rejects calls; close() is idempotent", () => {
  const t = FfiTransport.open();
  t.close();
  t.close();
  assert.equal(t.fd, -1);
  assert.throws(() => t.send(getLinkDump(1)), /socket is closed/);
  assert.throws(() => t.receive(0), /socket is closed/);
  assert.throws(() => t.addMembership(1), /socket is closed/);
});

test("options: strict check, memberships, receive buffer", () => {
  using t = FfiTransport.open({ strictCheck: true, rcvbuf: 1 << 20, sndbuf: 1 << 18 });
  assert.ok(t.receiveBufferSize >= 1 << 20);
  t.setStrictCheck(false);
  t.addMembership(32); // RTNLGRP_NEXTHOP, beyond the 32-bit groups mask
  t.dropMembership(32);
  assert.ok(linkNames(t, 3).includes("lo"));
  assert.throws(() => FfiTransport.open({ protocol: -1 }), RangeError);
  assert.throws(() => FfiTransport.open({ rcvbuf: 1.5 }), TypeError);
});

test("1,024 open/close cycles leak no file descriptor", () => {
  FfiTransport.open().close();
  const before = fdCount();
  for (let i = 0; i < 1024; i++) {
    using t = FfiTransport.open({ rcvbuf: 1 << 16 });
    assert.ok(t.portId > 0);
  }
  assert.ok(fdCount() <= before, `fd count grew: ${fdCount()} > ${before}`); // runtimes may close unrelated fds meanwhile: no growth is the check
});

test("netnsFd: the socket sees the target namespace, the thread stays home", () => {
  const home = ownNetns();
  withNetns((name) => {
    const nsfd = openNetnsFd(name);
    try {
      {
        using t = FfiTransport.open({ netnsFd: nsfd });
        assert.equal(ownNetns(), home);
        assert.deepEqual(linkNames(t, 1), ["lo"]);
      }
      assert.throws(() => FfiTransport.open({ netnsFd: nsfd, protocol: 31 }), (e: unknown) => {
        assert.ok(e instanceof SyscallError);
        assert.equal(e.syscall, "socket");
        return true;
      });
      assert.equal(ownNetns(), home);
      assert.throws(() => FfiTransport.open({ netnsFd: 987654 }), (e: unknown) => {
        assert.ok(e instanceof SyscallError);
        assert.equal(e.syscall, "setns");
        assert.equal(e.code, "EBADF");
        return true;
      });
      assert.equal(ownNetns(), home);
      const before = fdCount();
      for (let i = 0; i < 64; i++) FfiTransport.open({ netnsFd: nsfd }).close();
      assert.ok(fdCount() <= before, `fd count grew: ${fdCount()} > ${before}`); // runtimes may close unrelated fds meanwhile: no growth is the check
      assert.equal(ownNetns(), home);
    } finally {
      libc.close(nsfd);
    }
  });
  assert.equal(ownNetns(), home);
});

test("openNetnsFd() of a missing namespace throws ENOENT", () => {
  assert.throws(() => openNetnsFd(`nlf-missing-${randomBytes(4).toString("hex")}`), (e: unknown) => {
    assert.ok(e instanceof SyscallError);
    assert.equal(e.code, "ENOENT");
    return true;
  });
});

test("a multicast overflow surfaces as SyscallError ENOBUFS and the socket stays usable", () => {
  withNetns((name) => {
    const nsfd = openNetnsFd(name);
    try {
      using t = FfiTransport.open({ netnsFd: nsfd, groups: RTMGRP_LINK, rcvbuf: 1 });
      const batch = Array.from({ length: 200 }, (_, i) => `link set lo mtu ${1280 + i}`).join("\n");
      execFileSync("ip", ["-n", name, "-batch", "-"], { input: batch });
      let overflowed = false;
      for (let i = 0; i < 1000; i++) {
        try {
          if (t.receive(0) === null) break;
        } catch (e) {
          assert.ok(e instanceof SyscallError);
          assert.equal(e.code, "ENOBUFS");
          overflowed = true;
        }
      }
      assert.ok(overflowed);
      assert.deepEqual(linkNames(t, 9), ["lo"]);
    } finally {
      libc.close(nsfd);
    }
  });
});

/** A packed struct pollfd array (native = little-endian here) for `fds`, all waiting for POLLIN. */
function pollfds(...fds: number[]): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(8 * fds.length);
  const v = new DataView(buf.buffer);
  fds.forEach((fd, i) => {
    v.setInt32(8 * i, fd, true);
    v.setInt16(8 * i + 4, POLLIN, true);
  });
  return buf;
}

test("eventfd, write, read and poll through libc", () => {
  const efd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  try {
    const fds = pollfds(efd);
    assert.equal(libc.poll(fds, 0), 0);
    assert.equal(libc.write(efd, new Uint8Array(BigUint64Array.of(3n).buffer)), 8);
    assert.equal(libc.poll(fds, 0), 1);
    assert.equal(new DataView(fds.buffer).getInt16(6, true), POLLIN); // revents
    const counter = new BigUint64Array(1);
    assert.equal(libc.read(efd, new Uint8Array(counter.buffer)), 8);
    assert.equal(counter[0], 3n);
    assert.throws(() => libc.read(efd, new Uint8Array(8)), (e: unknown) => e instanceof SyscallError && e.code === "EAGAIN");
    assert.throws(() => libc.poll(new Uint8Array(7), 0), RangeError);
  } finally {
    libc.close(efd);
  }
});

test("Deno: poll_nb waits off the event loop and wakes on an eventfd write", {
  skip: !("Deno" in globalThis),
}, async () => {
  const { pollNonblocking } = await import("../../ffi/deno.ts");
  const efd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  try {
    const fds = pollfds(efd);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    setTimeout(() => libc.write(efd, new Uint8Array(BigUint64Array.of(1n).buffer)), 30);
    const n = await pollNonblocking(fds, 5000);
    clearInterval(timer);
    assert.equal(n, 1);
    assert.ok(ticks > 0, "the event loop ran while poll waited");
    assert.equal(await pollNonblocking(pollfds(), 0), 0);
  } finally {
    libc.close(efd);
  }
});

test("ioctl (pointer and integer shapes): a persistent tap inside a test namespace", () => {
  withNetns((name) => {
    const nsfd = openNetnsFd(name);
    const home = libc.open("/proc/thread-self/ns/net", O_CLOEXEC);
    let tun = -1;
    try {
      // A tun fd belongs to the namespace it was opened in, so the tap is created there.
      libc.setns(nsfd, CLONE_NEWNET);
      try {
        tun = libc.open("/dev/net/tun", O_RDWR | O_CLOEXEC);
      } finally {
        libc.setns(home, CLONE_NEWNET);
      }
      const ifr = new Uint8Array(40); // struct ifreq: char ifr_name[16]; short ifr_flags; ...
      new TextEncoder().encodeInto("nlf0", ifr);
      new DataView(ifr.buffer).setInt16(16, IFF_TAP | IFF_NO_PI, true);
      assert.equal(libc.ioctlPtr(tun, TUNSETIFF, ifr), 0);
      assert.equal(libc.ioctlInt(tun, TUNSETPERSIST, 1), 0);
      const got = new Uint8Array(40);
      libc.ioctlPtr(tun, TUNGETIFF, got);
      assert.equal(new TextDecoder().decode(got.subarray(0, 4)), "nlf0");
      assert.equal(new DataView(got.buffer).getInt16(16, true) & (IFF_TAP | IFF_NO_PI), IFF_TAP | IFF_NO_PI);
      using t = FfiTransport.open({ netnsFd: nsfd });
      libc.close(tun);
      tun = -1;
      assert.deepEqual(linkNames(t, 1).sort(), ["lo", "nlf0"]); // persistent: survives close
    } finally {
      if (tun >= 0) libc.close(tun);
      libc.close(home);
      libc.close(nsfd);
    }
  });
});
