/**
 * Replay of the fixture corpus (real kernel bytes, tests/fixtures/<object>/<case>.hex): each
 * message decodes to its `.json` snapshot, and encoding the snapshot back reproduces the
 * kernel's bytes exactly. After a table change: `npx tsx tests/fixtures/regen.ts`, review the diff.
 *
 * Run: `npx tsx --test tests/replay_test.ts`, `npx deno test -A tests/replay_test.ts`,
 * `npx bun test tests/replay_test.ts`.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeDatagram, encodeMessage, messageInitFromJSON } from "../src/marshal/message.ts";
import { rtnl } from "../src/rtnl/messages.ts";
import { hex, listFixtures, readExpected } from "./_fixtures.ts";

const fixtures = listFixtures();

/** Where two byte strings part, with a few bytes of context (the attribute header is nearby). */
function firstDiff(got: Uint8Array, want: Uint8Array): string {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const from = Math.max(0, i - 8);
  return `(lengths ${got.length}/${want.length}; first difference at byte ${i}: got …${hex(got.subarray(from, i + 8))}…, kernel …${hex(want.subarray(from, i + 8))}…)`;
}

test("the fixture corpus is not empty", () => {
  assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixtures under tests/fixtures`);
});

for (const f of fixtures) {
  const expected = readExpected(f);
  const skip = expected === undefined ? `${f.name}.json missing: not decodable yet, run tests/fixtures/regen.ts` : false;
  test(`replay ${f.name}`, { skip }, () => {
    const want = expected!;
    assert.equal(want.length, f.messages.length, `${f.name}: ${f.messages.length} messages in .hex, ${want.length} in .json`);
    f.messages.forEach((bytes, i) => {
      const where = `${f.name} message ${i}`;
      const msgs = decodeDatagram(bytes, rtnl);
      assert.equal(msgs.length, 1, `${where}: decoded into ${msgs.length} messages`);
      assert.deepEqual(JSON.parse(JSON.stringify(msgs[0].toJSON())), want[i], `${where}: decode differs from .json`);
      const { schema, init } = messageInitFromJSON(rtnl, want[i] as Record<string, unknown>);
      const encoded = encodeMessage(schema, init);
      assert.equal(hex(encoded), hex(bytes), `${where}: encode(.json) differs from the kernel's bytes ${firstDiff(encoded, bytes)}`);
    });
  });
}
